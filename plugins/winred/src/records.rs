//! Export files to records: text decoded (UTF-8, or Windows-1252 as Excel saves a CSV), then
//! read by the `csv` crate (RFC 4180: quoted commas, `""`, newlines in quotes, CRLF or LF),
//! each record with the 1-based line it starts on (for `row-error.line`).

/// One CSV record and where it starts.
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

/// The records of `text`, and the line of a quoted field that is never closed (the `csv`
/// crate reads it to the end of the file: that record is dropped and reported instead).
pub fn read(text: &str) -> (Vec<Record>, Option<u32>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let bytes = text.as_bytes();
    // The csv crate's own line numbers drift after CRLF and blank lines: count from bytes,
    // incrementally so a large file is read in one pass.
    let (mut counted_to, mut line) = (0usize, 1u32);
    let mut last_start = 0usize;
    for record in reader.records() {
        // The input is a `str`, so no record can be invalid UTF-8; anything else is I/O,
        // which a byte slice cannot have.
        let Ok(record) = record else { continue };
        let mut start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(counted_to)
            .clamp(counted_to, bytes.len());
        while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let newlines = bytes[counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        line = line.saturating_add(u32::try_from(newlines).unwrap_or(u32::MAX));
        counted_to = start;
        last_start = start;
        records.push(Record {
            line,
            fields: record.iter().map(str::to_string).collect(),
        });
    }
    // Quotes pair up in a closed record: an odd count in the last one means its quote ran
    // to the end of the file.
    let tail = text.get(last_start..).unwrap_or("");
    if !records.is_empty() && tail.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
        let unclosed = records.pop().map(|r| r.line);
        return (records, unclosed);
    }
    (records, None)
}

/// UTF-8 (a BOM dropped), else Windows-1252, which Excel writes when it saves a CSV.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
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
        let (records, err) = read("a,b\n1,2\n3,\"4\"\n");
        assert_eq!((records.len(), err), (3, None));
    }

    #[test]
    fn bom_utf8_and_windows_1252() {
        assert_eq!(decode(b"\xEF\xBB\xBFName"), "Name");
        assert_eq!(decode("José".as_bytes()), "José");
        assert_eq!(decode(b"Jos\xe9"), "José");
        // The 0x80-0x9F range is where Windows-1252 differs from Latin-1.
        assert_eq!(
            decode(b"\x93Pe\xf1a\x94 \x80 5"),
            "\u{201c}Peña\u{201d} € 5"
        );
    }
}
