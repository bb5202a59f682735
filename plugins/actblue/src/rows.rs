//! An ActBlue CSV read by header name: columns move and new ones appear, so a column is found
//! by its name in the header row, never by position.

use intake_plugin_sdk::Error;

/// The columns a line item needs, by their header names.
pub const LINEITEM_ID: &str = "Lineitem ID";
pub const RECEIPT_ID: &str = "Receipt ID";
pub const DATE: &str = "Date";
pub const AMOUNT: &str = "Amount";
pub const REFUND_DATE: &str = "Refund Date";

/// One CSV: the header row's positions, and the records.
pub struct Table {
    names: Vec<String>,
    records: Vec<csv::StringRecord>,
}

/// One data row, read by column name.
pub struct Row<'a> {
    table: &'a Table,
    record: &'a csv::StringRecord,
    /// 1-based line of the file, the header being line 1.
    pub line: u64,
}

impl Table {
    /// Read `bytes`; the columns in `required` must be present.
    pub fn parse(bytes: &[u8], required: &[&str]) -> Result<Table, Error> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let names: Vec<String> = reader
            .headers()
            .map_err(|e| {
                Error::InvalidData(format!("the ActBlue CSV has no readable header: {e}"))
            })?
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        for column in required {
            if !names.iter().any(|n| n == column) {
                return Err(Error::InvalidData(format!(
                    "the ActBlue CSV has no `{column}` column"
                )));
            }
        }
        let records = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::InvalidData(format!("the ActBlue CSV is malformed: {e}")))?;
        Ok(Table { names, records })
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn row(&self, index: usize) -> Option<Row<'_>> {
        let record = self.records.get(index)?;
        Some(Row {
            table: self,
            record,
            line: u64::try_from(index).unwrap_or(u64::MAX).saturating_add(2),
        })
    }
}

impl Row<'_> {
    /// The trimmed value of `column`; None when the column is absent or the cell blank.
    pub fn get(&self, column: &str) -> Option<&str> {
        let at = self.table.names.iter().position(|n| n == column)?;
        self.record.get(at).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The value of `column`, or invalid data naming the line and the column.
    pub fn require(&self, column: &str) -> Result<&str, Error> {
        self.get(column).ok_or_else(|| {
            Error::InvalidData(format!(
                "line {} of the ActBlue CSV has no `{column}`",
                self.line
            ))
        })
    }
}
