//! The fetch cursor: `ab1|STAGE|START|END|JOB|OFFSET`.
//!
//! What it promises: resuming from it with the same window continues exactly after the last
//! row returned. STAGE is `paid` then `refunded`; JOB is that stage's CSV job (empty until
//! created); OFFSET counts the data rows of that CSV already walked past. A job's file is
//! fixed once built, so a new download of the same job has the same rows in the same order.
//! START/END are the job's date range: a cursor from another window is a config error.

use intake_plugin_sdk::Error;

use crate::api::valid_id;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Paid,
    Refunded,
}

impl Stage {
    pub fn csv_type(self) -> &'static str {
        match self {
            Stage::Paid => "paid_contributions",
            Stage::Refunded => "refunded_contributions",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Stage::Paid => "paid",
            Stage::Refunded => "refunded",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub stage: Stage,
    pub job: Option<String>,
    pub offset: u64,
}

impl Position {
    pub const START: Position = Position {
        stage: Stage::Paid,
        job: None,
        offset: 0,
    };

    pub fn encode(&self, range: (&str, &str)) -> String {
        format!(
            "ab1|{}|{}|{}|{}|{}",
            self.stage.word(),
            range.0,
            range.1,
            self.job.as_deref().unwrap_or(""),
            self.offset
        )
    }

    /// Read a cursor made for the date range `range`.
    pub fn decode(cursor: &str, range: (&str, &str)) -> Result<Position, Error> {
        let bad = |why: &str| {
            Error::Config(format!(
                "cursor `{cursor}` is not an ActBlue cursor of this version: {why}"
            ))
        };
        let parts: Vec<&str> = cursor.split('|').collect();
        let [version, stage, start, end, job, offset] = parts[..] else {
            return Err(bad("it has not six parts"));
        };
        if version != "ab1" {
            return Err(bad("unknown version"));
        }
        let stage = match stage {
            "paid" => Stage::Paid,
            "refunded" => Stage::Refunded,
            _ => return Err(bad("unknown stage")),
        };
        if (start, end) != range {
            return Err(Error::Config(format!(
                "cursor `{cursor}` belongs to the dates {start}..{end}, not this window's {}..{}",
                range.0, range.1
            )));
        }
        let job = match job {
            "" => None,
            id if valid_id(id) => Some(id.to_string()),
            _ => return Err(bad("bad job id")),
        };
        let offset = offset.parse().map_err(|_| bad("bad row offset"))?;
        Ok(Position { stage, job, offset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANGE: (&str, &str) = ("2024-05-01", "2024-06-02");

    #[test]
    fn round_trips_and_refuses_other_windows_and_garbage() {
        let p = Position {
            stage: Stage::Refunded,
            job: Some("csv-7".into()),
            offset: 42,
        };
        let text = p.encode(RANGE);
        assert_eq!(text, "ab1|refunded|2024-05-01|2024-06-02|csv-7|42");
        assert_eq!(Position::decode(&text, RANGE).unwrap(), p);
        let other = Position::decode(&text, ("2024-05-01", "2024-06-03")).unwrap_err();
        assert_eq!(
            other.to_string(),
            Error::Config("cursor `ab1|refunded|2024-05-01|2024-06-02|csv-7|42` belongs to the dates 2024-05-01..2024-06-02, not this window's 2024-05-01..2024-06-03".into()).to_string()
        );
        for garbage in [
            "garbage",
            "ab1|paid|2024-05-01|2024-06-02|a/b|0",
            "ab2|paid|2024-05-01|2024-06-02||0",
            "ab1|paid|2024-05-01|2024-06-02||-1",
        ] {
            assert!(
                matches!(Position::decode(garbage, RANGE), Err(Error::Config(_))),
                "{garbage}"
            );
        }
    }
}
