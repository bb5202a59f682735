use super::*;

fn rfc(text: &str) -> String {
    loose_to_rfc3339(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e:?}"))
}

fn refused(result: Result<impl std::fmt::Debug, Error>, text: &str) -> String {
    match result {
        Err(Error::InvalidData(m)) => {
            assert!(m.contains(text.trim()), "message {m:?} names {text:?}");
            m
        }
        other => panic!("{text:?}: expected InvalidData, got {other:?}"),
    }
}

#[test]
fn reads_common_us_formats_as_utc() {
    assert_eq!(rfc("2024-05-01"), "2024-05-01T00:00:00Z");
    assert_eq!(rfc("05/01/2024"), "2024-05-01T00:00:00Z");
    assert_eq!(rfc("5/1/24"), "2024-05-01T00:00:00Z");
    assert_eq!(rfc("05/01/2024 1:45 PM"), "2024-05-01T13:45:00Z");
    assert_eq!(rfc("05/01/2024 12:05 AM"), "2024-05-01T00:05:00Z");
    assert_eq!(rfc("2024-05-01 13:45:09"), "2024-05-01T13:45:09Z");
    assert_eq!(rfc("2024-05-01T09:00:00-04:00"), "2024-05-01T13:00:00Z");
}

#[test]
fn keeps_sub_second_precision() {
    assert_eq!(
        rfc("2024-05-01T09:00:00.25-04:00"),
        "2024-05-01T13:00:00.25Z"
    );
    assert_eq!(rfc("2024-05-01 13:45:09.5"), "2024-05-01T13:45:09.5Z");
    assert_eq!(
        rfc("05/01/2024 13:45:09.123456789"),
        "2024-05-01T13:45:09.123456789Z"
    );
    assert_eq!(
        parse_rfc3339("2024-05-01T00:00:00.001Z")
            .unwrap()
            .millisecond(),
        1
    );
}

#[test]
fn refuses_impossible_dates_naming_them() {
    for bad in [
        "13/01/2024",
        "02/30/2024",
        "2024-5",
        "05/01/2024 13:00 PM",
        "yesterday",
        "1/2/3/4",
        "05/01/-001",
        "05/01/+2024",
        "-001-05-01",
        "10000-01-01",
        "05/01/10000",
        "2024-05-01 12:00:00.1234567890",
        "2024-05-01 25:00",
    ] {
        let m = refused(parse_loose(bad), bad);
        assert!(m.contains("is not a date"), "{m}");
    }
}

#[test]
fn times_outside_years_0_to_9999_in_utc_are_data_errors_not_panics() {
    for bad in [
        "0000-01-01T00:00:00+00:01",
        "9999-12-31T23:59:59-01:00",
        "9999-12-31T23:00:00-23:59",
    ] {
        let m = refused(parse_loose(bad), bad);
        assert!(m.contains("outside years 0–9999"), "{m}");
        refused(parse_rfc3339(bad), bad);
        assert!(matches!(rfc3339_to_unix(bad), Err(Error::Config(m)) if m.contains(bad)));
    }
    // The edges themselves are fine.
    assert_eq!(rfc("0000-01-01T00:01:00+00:01"), "0000-01-01T00:00:00Z");
    assert_eq!(rfc("9999-12-31T23:59:59Z"), "9999-12-31T23:59:59Z");
    for unix in [i64::MIN, i64::MAX, -62_167_219_201, 253_402_300_800] {
        refused(unix_to_rfc3339(unix), &unix.to_string());
    }
    assert_eq!(
        unix_to_rfc3339(-62_167_219_200).unwrap(),
        "0000-01-01T00:00:00Z"
    );
    assert_eq!(
        unix_to_rfc3339(253_402_300_799).unwrap(),
        "9999-12-31T23:59:59Z"
    );
    let before_year_0 = Date::from_calendar_date(-1, time::Month::December, 31)
        .unwrap()
        .midnight()
        .assume_utc();
    assert!(matches!(to_rfc3339(before_year_0), Err(Error::InvalidData(m)) if m.contains("-0001")));
}

#[test]
fn reads_http_dates() {
    assert_eq!(
        parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(784_111_777)
    );
    assert_eq!(
        parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
        Some(784_111_777)
    );
    assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    for bad in [
        "yesterday",
        "Sun, 06 Nov 1994 08:49:37 PST",
        "Fri, 30 Feb 2024 00:00:00 GMT",
        "Sun, 06 Nov 99999 08:49:37 GMT",
    ] {
        assert_eq!(parse_http_date(bad), None, "{bad:?}");
    }
}

#[test]
fn window_bounds_checks_order() {
    let w = Window {
        since: "2024-01-01T00:00:00Z".into(),
        until: Some("2024-01-02T00:00:00Z".into()),
    };
    assert_eq!(
        window_bounds(&w).unwrap(),
        (1_704_067_200, Some(1_704_153_600))
    );
    let backwards = Window {
        since: "2024-01-02T00:00:00Z".into(),
        until: Some("2024-01-01T00:00:00Z".into()),
    };
    assert!(
        matches!(window_bounds(&backwards), Err(Error::Config(m)) if m.contains("before it starts"))
    );
    assert_eq!(
        unix_to_rfc3339(1_704_067_200).unwrap(),
        "2024-01-01T00:00:00Z"
    );
}

#[test]
fn the_clock_reads_now() {
    let now = now_unix().unwrap();
    assert!(now > 1_700_000_000, "{now}");
}

#[test]
fn in_window_keeps_sub_second_precision_and_offsets() {
    let window = Window {
        since: "2024-06-01T00:00:00.250Z".into(),
        until: Some("2024-06-01T12:00:00.300Z".into()),
    };
    // Whole seconds would call 12:00:00.2 outside (12:00:00 is not before 12:00:00).
    assert!(in_window("2024-06-01T12:00:00.2Z", &window).unwrap());
    assert!(!in_window("2024-06-01T12:00:00.3Z", &window).unwrap());
    assert!(!in_window("2024-06-01T00:00:00.249Z", &window).unwrap());
    assert!(in_window("2024-06-01T00:00:00.25Z", &window).unwrap());
    // 08:00:00.1 in New York (UTC-4) is 12:00:00.1 UTC.
    assert!(in_window("2024-06-01T08:00:00.1-04:00", &window).unwrap());
    let open = Window {
        since: "2024-06-01T00:00:00Z".into(),
        until: None,
    };
    assert!(in_window("2099-01-01T00:00:00Z", &open).unwrap());
    assert!(matches!(
        in_window("yesterday", &window),
        Err(Error::InvalidData(_))
    ));
    let bad = Window {
        since: "soon".into(),
        until: None,
    };
    assert!(matches!(
        in_window("2024-06-01T00:00:00Z", &bad),
        Err(Error::Config(_))
    ));
}
