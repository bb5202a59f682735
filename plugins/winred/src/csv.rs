//! A small RFC 4180 reader: quoted fields with commas, quotes ("") and newlines, CRLF or LF,
//! and the 1-based line each record starts on (for `row-error.line`). Lenient where exports
//! are sloppy: a stray quote inside an unquoted field is kept as a character.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line of the file the record starts on.
    pub line: u32,
    pub fields: Vec<String>,
}

impl Record {
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
}

/// The records of `text`, and where a quoted field was never closed (that record and
/// everything after it are unreadable).
pub fn read(text: &str) -> (Vec<Record>, Option<u32>) {
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut line: u32 = 1;
    let mut record_line: u32 = 1;
    let mut in_quotes = false;
    let mut quoted = false; // the current field began with a quote
    let mut chars = text.chars().peekable();
    let mut any = false; // the current record has content
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\r' if chars.peek() == Some(&'\n') => {}
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted => {
                in_quotes = true;
                quoted = true;
                any = true;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                quoted = false;
                any = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                if any || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    records.push(Record {
                        line: record_line,
                        fields: std::mem::take(&mut fields),
                    });
                }
                quoted = false;
                any = false;
                line += 1;
                record_line = line;
            }
            c => {
                field.push(c);
                any = true;
            }
        }
    }
    if in_quotes {
        return (records, Some(record_line));
    }
    if any || !field.is_empty() {
        fields.push(field);
        records.push(Record {
            line: record_line,
            fields,
        });
    }
    (records, None)
}

/// UTF-8 without a BOM; bytes that are not UTF-8 are read as Windows-1252's Latin-1 subset.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: &Record) -> Vec<&str> {
        r.fields.iter().map(String::as_str).collect()
    }

    #[test]
    fn quotes_crlf_and_lines() {
        let text = "a,b,c\r\n\"1,5\",\"say \"\"hi\"\"\",x\r\n\r\n\"multi\nline\",,\n4,5,6";
        let (records, err) = read(text);
        assert_eq!(err, None);
        assert_eq!(records.len(), 4);
        assert_eq!(fields(&records[1]), vec!["1,5", "say \"hi\"", "x"]);
        assert_eq!(records[1].line, 2);
        assert_eq!(fields(&records[2]), vec!["multi\nline", "", ""]);
        assert_eq!(records[2].line, 4);
        assert_eq!(records[3].line, 6);
    }

    #[test]
    fn an_unclosed_quote_is_reported_at_its_record() {
        let (records, err) = read("a,b\n1,2\n\"oops,3\n4,5\n");
        assert_eq!(records.len(), 2);
        assert_eq!(err, Some(3));
    }

    #[test]
    fn bom_and_latin1() {
        assert_eq!(decode(b"\xEF\xBB\xBFName"), "Name");
        assert_eq!(decode(b"Jos\xe9"), "José");
    }
}
