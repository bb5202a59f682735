use super::*;

fn n(
    prefix: Option<&str>,
    first: &str,
    middle: Option<&str>,
    last: &str,
    suffix: Option<&str>,
) -> NameParts {
    NameParts {
        prefix: prefix.map(Into::into),
        first: first.into(),
        middle: middle.map(Into::into),
        last: last.into(),
        suffix: suffix.map(Into::into),
    }
}

/// The cases the Stripe plugin's own splitter handled, with this splitter's answers.
#[test]
fn stripe_cases() {
    let split = split_full_name;
    assert_eq!(split("Mary Smith"), n(None, "Mary", None, "Smith", None));
    assert_eq!(
        split("  Mary   Ann  Smith "),
        n(None, "Mary", Some("Ann"), "Smith", None)
    );
    assert_eq!(
        split("Dr. Mary Ann Smith, Jr."),
        n(Some("Dr."), "Mary", Some("Ann"), "Smith", Some("Jr."))
    );
    assert_eq!(
        split("James R. O'Brien III"),
        n(None, "James", Some("R."), "O'Brien", Some("III"))
    );
    assert_eq!(
        split("Robert Jones Sr."),
        n(None, "Robert", None, "Jones", Some("Sr."))
    );
    assert_eq!(
        split("Smith, Mary Ann"),
        n(None, "Mary", Some("Ann"), "Smith", None)
    );
    assert_eq!(
        split("Ludwig van Beethoven"),
        n(None, "Ludwig", None, "van Beethoven", None)
    );
    assert_eq!(split("José García"), n(None, "José", None, "García", None));
    assert_eq!(split("Cher"), n(None, "", None, "Cher", None));
    assert_eq!(split(""), NameParts::default());
    assert_eq!(split("John V"), n(None, "John", None, "V", None));
    assert_eq!(split("Mr. Jones"), n(Some("Mr."), "", None, "Jones", None));
}

/// The cases the WinRed plugin's full-name splitter handled.
#[test]
fn winred_full_name_cases() {
    let split = split_full_name;
    assert_eq!(
        split("John Q. Public Jr."),
        n(None, "John", Some("Q."), "Public", Some("Jr."))
    );
    assert_eq!(
        split("Public, John Q."),
        n(None, "John", Some("Q."), "Public", None)
    );
    assert_eq!(
        split("Public, John, Jr."),
        n(None, "John", None, "Public", Some("Jr."))
    );
    assert_eq!(
        split("John Public, Jr."),
        n(None, "John", None, "Public", Some("Jr."))
    );
    assert_eq!(
        split("MARIA DE LA CRUZ"),
        n(None, "MARIA", None, "DE LA CRUZ", None)
    );
    assert_eq!(
        split("Dr. Martin Luther King Jr"),
        n(Some("Dr."), "Martin", Some("Luther"), "King", Some("Jr."))
    );
    assert_eq!(split("Zoë  Ñúñez"), n(None, "Zoë", None, "Ñúñez", None));
}

/// Where the two old splitters disagreed, and shapes neither read.
#[test]
fn decided_and_new_cases() {
    let split = split_full_name;
    // Stripe kept "Jr" as typed; WinRed wrote "Jr.": canonical wins.
    assert_eq!(
        split("robert jones jr"),
        n(None, "robert", None, "jones", Some("Jr."))
    );
    // WinRed made "Mr." the first name of a two-word name; Stripe's reading wins.
    assert_eq!(split("mr jones"), n(Some("Mr."), "", None, "jones", None));
    // WinRed read "Smith, Jr." as first name "Jr."; Stripe's reading wins.
    assert_eq!(split("Smith, Jr."), n(None, "", None, "Smith", Some("Jr.")));
    // Several titles and suffixes.
    assert_eq!(
        split("Rev. Dr. Martin Luther King Jr. PhD"),
        n(
            Some("Rev. Dr."),
            "Martin",
            Some("Luther"),
            "King",
            Some("Jr. PhD")
        )
    );
    assert_eq!(
        split("Smith Jr., Dr. John Quincy"),
        n(Some("Dr."), "John", Some("Quincy"), "Smith", Some("Jr."))
    );
    assert_eq!(
        split("van Beethoven, Ludwig"),
        n(None, "Ludwig", None, "van Beethoven", None)
    );
    assert_eq!(
        split("Abdullah bin Hamad"),
        n(None, "Abdullah", None, "bin Hamad", None)
    );
    assert_eq!(
        split("Ana dos Santos"),
        n(None, "Ana", None, "dos Santos", None)
    );
    // A title alone, or a comma and nothing, is kept rather than lost.
    assert_eq!(split("Dr."), n(None, "", None, "Dr.", None));
    assert_eq!(split("Smith,"), n(None, "", None, "Smith", None));
    assert_eq!(split(",,,"), NameParts::default());
}

/// The cases the WinRed plugin's separate-fields reader handled.
#[test]
fn fields_move_typed_initials_suffixes_and_titles() {
    assert_eq!(
        from_fields(None, Some("John Q."), None, Some("Smith Jr."), None),
        n(None, "John", Some("Q."), "Smith", Some("Jr."))
    );
    assert_eq!(
        from_fields(None, Some("JOHN Q"), None, Some("SMITH JR"), None),
        n(None, "JOHN", Some("Q"), "SMITH", Some("Jr."))
    );
    assert_eq!(
        from_fields(None, Some("Mary Ann"), None, Some("O'Neil"), None),
        n(None, "Mary Ann", None, "O'Neil", None)
    );
    assert_eq!(
        from_fields(None, Some("Dr. Jane"), None, Some("Adams III"), None),
        n(Some("Dr."), "Jane", None, "Adams", Some("III"))
    );
    assert_eq!(
        from_fields(
            None,
            Some(" José "),
            Some("  "),
            Some("Núñez  de la Cruz"),
            Some("jr")
        ),
        n(None, "José", None, "Núñez de la Cruz", Some("Jr."))
    );
    assert_eq!(
        from_fields(None, Some("John Q"), Some("Quincy"), Some("Adams"), None),
        n(None, "John Q", Some("Quincy"), "Adams", None)
    );
    assert_eq!(
        from_fields(None, Some("Anna"), None, Some("V"), None),
        n(None, "Anna", None, "V", None)
    );
    assert_eq!(
        from_fields(
            Some("mrs"),
            Some("Ann"),
            None,
            Some("Lee,"),
            Some("Esquire")
        ),
        n(Some("Mrs."), "Ann", None, "Lee", Some("Esquire"))
    );
}
