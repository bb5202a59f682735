//! What a plugin says about itself, checked before anything shows it to an operator: sizes
//! capped, no control characters (a terminal escape could disguise an origin), ids and keys
//! well formed, origins parseable. Errors name the field, e.g. `settings[2].help`.

use std::collections::HashSet;

use crate::origin::Origin;
use crate::types::{PluginInfo, PostalAddress};

/// (field, why)
type Refusal = (String, String);

/// Short names: ids, keys, versions, labels, choices.
const SHORT: usize = 128;
/// Help text, defaults, names.
const TEXT: usize = 2048;
const MAX_SETTINGS: usize = 64;
const MAX_LIST: usize = 64;

fn text(field: impl Into<String>, value: &str, cap: usize) -> Result<(), Refusal> {
    let field = field.into();
    if value.len() > cap {
        return Err((
            field,
            format!("{} bytes, over the cap of {cap}", value.len()),
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|&c| c.is_control() || reorders_or_hides(c))
    {
        return Err((field, format!("holds the control character {c:?}")));
    }
    Ok(())
}

/// Bidirectional overrides and isolates, zero-width characters and the byte-order mark:
/// not control characters to `char::is_control`, but each can make a terminal show
/// `https://api.stripe.com` for a string that is not.
fn reorders_or_hides(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

fn list(field: &str, len: usize) -> Result<(), Refusal> {
    if len > MAX_LIST {
        return Err((
            field.into(),
            format!("{len} entries, over the cap of {MAX_LIST}"),
        ));
    }
    Ok(())
}

fn origin(field: String, value: &str) -> Result<(), Refusal> {
    text(field.clone(), value, SHORT * 2)?;
    Origin::parse_bare(value)
        .map(|_| ())
        .map_err(|e| (field, e))
}

/// The info as operators see it: each declared origin in its normalized form
/// (`scheme://host:port`, lower case, IP literals canonical), the form the host enforces.
/// Call after [`check`], which refuses an origin that does not parse.
pub(crate) fn normalized(mut info: PluginInfo) -> PluginInfo {
    let normalize = |o: &mut String| {
        if let Ok(origin) = Origin::parse_bare(o) {
            *o = origin.to_string();
        }
    };
    info.outbound.iter_mut().for_each(normalize);
    for setting in &mut info.settings {
        setting.sent_to.iter_mut().for_each(normalize);
    }
    info
}

fn address(field: &str, a: &PostalAddress) -> Result<(), Refusal> {
    for (name, value) in [
        ("line1", &a.line1),
        ("city", &a.city),
        ("region", &a.region),
        ("postal_code", &a.postal_code),
        ("country", &a.country),
    ] {
        text(format!("{field}.{name}"), value, SHORT * 2)?;
    }
    if let Some(line2) = &a.line2 {
        text(format!("{field}.line2"), line2, SHORT * 2)?;
    }
    Ok(())
}

/// The keys of the settings declared secret, or the first field at fault.
pub(crate) fn check(info: &PluginInfo) -> Result<HashSet<String>, Refusal> {
    text("id", &info.id, 64)?;
    let id_ok = !info.id.is_empty()
        && info
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !id_ok {
        return Err((
            "id".into(),
            format!("`{}` must be 1-64 of a-z, 0-9, - and _", info.id),
        ));
    }
    text("name", &info.name, SHORT)?;
    text("version", &info.version, SHORT)?;
    list("outbound", info.outbound.len())?;
    for (i, o) in info.outbound.iter().enumerate() {
        origin(format!("outbound[{i}]"), o)?;
    }
    if let Some(org) = &info.organization {
        text("organization.name", &org.name, TEXT)?;
        if let Some(fec_id) = &org.fec_id {
            text("organization.fec_id", fec_id, SHORT)?;
        }
        if let Some(a) = &org.address {
            address("organization.address", a)?;
        }
    }
    if info.settings.len() > MAX_SETTINGS {
        return Err((
            "settings".into(),
            format!(
                "{} entries, over the cap of {MAX_SETTINGS}",
                info.settings.len()
            ),
        ));
    }
    let mut keys = HashSet::new();
    let mut secret_keys = HashSet::new();
    for (i, setting) in info.settings.iter().enumerate() {
        let at = |name: &str| format!("settings[{i}].{name}");
        text(at("key"), &setting.key, SHORT)?;
        text(at("label"), &setting.label, SHORT)?;
        text(at("help"), &setting.help, TEXT)?;
        if let Some(default) = &setting.default_value {
            text(at("default_value"), default, TEXT)?;
        }
        list(&at("choices"), setting.choices.len())?;
        for (j, choice) in setting.choices.iter().enumerate() {
            text(format!("settings[{i}].choices[{j}]"), choice, SHORT)?;
        }
        if setting.key.is_empty() || !keys.insert(setting.key.as_str()) {
            return Err((at("key"), format!("`{}` is empty or repeated", setting.key)));
        }
        list(&at("sent_to"), setting.sent_to.len())?;
        if setting.secret {
            secret_keys.insert(setting.key.clone());
            for (j, o) in setting.sent_to.iter().enumerate() {
                origin(format!("settings[{i}].sent_to[{j}]"), o)?;
            }
        } else if !setting.sent_to.is_empty() {
            return Err((
                at("sent_to"),
                format!("`{}` is not secret but lists origins", setting.key),
            ));
        }
    }
    Ok(secret_keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Capabilities, Setting};

    fn info() -> PluginInfo {
        PluginInfo {
            id: "demo".into(),
            name: "Demo".into(),
            version: "1.0.0".into(),
            settings: vec![Setting {
                key: "api_key".into(),
                label: "API key".into(),
                help: "From the dashboard.".into(),
                secret: true,
                sent_to: vec!["https://api.example.com:443".into()],
                required: true,
                default_value: None,
                choices: vec![],
            }],
            outbound: vec!["https://api.example.com:443".into()],
            capabilities: Capabilities::FETCH,
            organization: None,
        }
    }

    #[test]
    fn a_good_info_passes() {
        let keys = check(&info()).unwrap();
        assert!(keys.contains("api_key"));
    }

    #[test]
    fn oversized_and_escaped_strings_are_refused_by_field() {
        let mut i = info();
        i.settings[0].help = "x".repeat(64 << 10);
        let (field, why) = check(&i).unwrap_err();
        assert_eq!(field, "settings[0].help");
        assert!(why.contains("65536 bytes"), "{why}");

        let mut i = info();
        i.name = "Stripe\x1b[2K".into();
        let (field, why) = check(&i).unwrap_err();
        assert_eq!(field, "name");
        assert!(why.contains("control character"), "{why}");

        let mut i = info();
        i.settings[0].sent_to[0] = "https://api.stripe.com:443\r".into();
        assert_eq!(check(&i).unwrap_err().0, "settings[0].sent_to[0]");

        let mut i = info();
        i.id = "Stripe".into();
        assert_eq!(check(&i).unwrap_err().0, "id");

        // A right-to-left override displays "https://api.stripe.com" for a reversed string.
        let mut i = info();
        i.outbound[0] = "https://\u{202E}moc.epirts.ipa".into();
        let (field, why) = check(&i).unwrap_err();
        assert_eq!(field, "outbound[0]");
        assert!(why.contains("control character '\\u{202e}'"), "{why}");
    }

    #[test]
    fn origins_are_bare_and_kept_in_the_form_the_host_enforces() {
        let mut i = info();
        i.outbound[0] = "https://api.example.com/v1/charges".into();
        let (field, why) = check(&i).unwrap_err();
        assert_eq!(field, "outbound[0]");
        assert!(why.contains("not a bare origin"), "{why}");

        let mut i = info();
        i.outbound[0] = "HTTP://2130706433:8080".into();
        i.settings[0].sent_to[0] = "https://API.example.com".into();
        check(&i).unwrap();
        let shown = normalized(i);
        assert_eq!(shown.outbound, ["http://127.0.0.1:8080"]);
        assert_eq!(shown.settings[0].sent_to, ["https://api.example.com:443"]);
    }
}
