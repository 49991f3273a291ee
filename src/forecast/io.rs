//! Loading a series from CSV: one numeric column, optionally a timestamp column that gives the
//! [`Calendar`] (hour/weekday features, output timestamps) and lets missing steps be filled.
//! Every problem is an [`ForecastError::Input`] naming the file, row and column.

use super::{Calendar, ForecastError, Series};
use chrono::{NaiveDate, NaiveDateTime};
use std::path::Path;

/// What to do with missing steps in a timestamped series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GapPolicy {
    /// Fill with 0 (right for request counts: a minute with no request has no row).
    #[default]
    Zero,
    /// Reject the file.
    Error,
}

/// CSV loading options.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvOptions {
    /// Value column; default: the first non-time column whose first value is numeric.
    pub column: Option<String>,
    /// Time column; default: the first column whose first value parses as a timestamp.
    pub time_column: Option<String>,
    /// Keep rows at or after this timestamp (`YYYY-MM-DD[ HH:MM[:SS]]`).
    pub from: Option<String>,
    /// Keep rows strictly before this timestamp.
    pub to: Option<String>,
    /// Missing-step policy.
    pub gaps: GapPolicy,
}

/// A loaded series and what was found.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedSeries {
    /// The series (with calendar when a time column exists).
    pub series: Series,
    /// Value column used.
    pub column: String,
    /// Time column used, if any.
    pub time_column: Option<String>,
    /// Number of missing steps filled with 0.
    pub filled: usize,
}

/// Parses `YYYY-MM-DD HH:MM:SS` (also with `T`, without seconds, or a bare date).
pub fn parse_timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// Formats seconds since the epoch as `YYYY-MM-DD HH:MM:SS`.
pub fn format_timestamp(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| secs.to_string())
}

/// Loads a series from a CSV file with a header row. Monthly timestamps (steps of 28-31 days)
/// are accepted as a regular series without a calendar (no gap filling).
pub fn load_csv(path: &Path, opts: &CsvOptions) -> Result<LoadedSeries, ForecastError> {
    let name = path.display().to_string();
    let err = |message: String| ForecastError::Input {
        source_name: name.clone(),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| err(format!("cannot open: {e}")))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| err(format!("cannot read the header row: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let records: Vec<csv::StringRecord> = rdr
        .records()
        .collect::<Result<_, _>>()
        .map_err(|e| err(format!("malformed CSV: {e}")))?;
    let first = records.first().ok_or(ForecastError::EmptySeries)?;
    let find = |c: &str| {
        headers.iter().position(|h| h == c).ok_or_else(|| {
            err(format!(
                "no column named `{c}` (columns: {})",
                headers.join(", ")
            ))
        })
    };
    let tcol = match &opts.time_column {
        Some(c) => Some(find(c)?),
        None => (0..headers.len()).find(|&i| first.get(i).and_then(parse_timestamp).is_some()),
    };
    let vcol = match &opts.column {
        Some(c) => find(c)?,
        None => (0..headers.len())
            .find(|&i| Some(i) != tcol && first.get(i).is_some_and(|v| v.parse::<f64>().is_ok()))
            .ok_or_else(|| {
                err(format!(
                    "no numeric column found (columns: {}); pass --column",
                    headers.join(", ")
                ))
            })?,
    };
    let bound = |s: &Option<String>, what: &str| -> Result<Option<NaiveDateTime>, ForecastError> {
        match s {
            None => Ok(None),
            Some(s) if tcol.is_none() => Err(err(format!(
                "--{what} {s} needs a time column, and none was found"
            ))),
            Some(s) => parse_timestamp(s).map(Some).ok_or_else(|| {
                err(format!(
                    "--{what} `{s}` is not a timestamp (YYYY-MM-DD HH:MM:SS)"
                ))
            }),
        }
    };
    let from = bound(&opts.from, "from")?;
    let to = bound(&opts.to, "to")?;
    let mut values = Vec::with_capacity(records.len());
    let mut times: Vec<i64> = Vec::new();
    for (r, rec) in records.iter().enumerate() {
        let row = r + 2; // 1-based, after the header
        let t = match tcol {
            Some(c) => {
                let raw = rec.get(c).unwrap_or("");
                let t = parse_timestamp(raw).ok_or_else(|| {
                    err(format!(
                        "row {row}, column `{}`: `{raw}` is not a timestamp",
                        headers[c]
                    ))
                })?;
                if from.is_some_and(|f| t < f) || to.is_some_and(|e| t >= e) {
                    continue;
                }
                Some(t.and_utc().timestamp())
            }
            None => None,
        };
        let raw = rec.get(vcol).unwrap_or("");
        let v: f64 = raw.parse().map_err(|_| {
            err(format!(
                "row {row}, column `{}`: `{raw}` is not a number",
                headers[vcol]
            ))
        })?;
        if !v.is_finite() {
            return Err(err(format!(
                "row {row}, column `{}`: `{raw}` is not a finite number",
                headers[vcol]
            )));
        }
        values.push(v);
        if let Some(t) = t {
            times.push(t);
        }
    }
    if values.is_empty() {
        return Err(ForecastError::EmptySeries);
    }
    let mut filled = 0;
    let mut calendar = None;
    let monthly = times.len() >= 2
        && times
            .windows(2)
            .all(|w| (28 * 86_400..=31 * 86_400).contains(&(w[1] - w[0])));
    if tcol.is_some() && times.len() >= 2 && !monthly {
        let step = times
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|d| *d > 0)
            .min()
            .unwrap_or(0);
        if step <= 0 {
            return Err(err("timestamps do not increase".into()));
        }
        let mut out = Vec::with_capacity(values.len());
        out.push(values[0]);
        for i in 1..times.len() {
            let d = times[i] - times[i - 1];
            if d <= 0 || d % step != 0 {
                return Err(err(format!(
                    "row {}: timestamps must increase in steps of {step} s (got a jump of {d} s)",
                    i + 2
                )));
            }
            let missing = (d / step - 1) as usize;
            if missing > 0 {
                if opts.gaps == GapPolicy::Error {
                    return Err(err(format!("{missing} missing steps before row {}", i + 2)));
                }
                out.extend(std::iter::repeat_n(0.0, missing));
                filled += missing;
            }
            out.push(values[i]);
        }
        values = out;
        calendar = Some(Calendar::new(times[0], step)?);
    }
    let mut series = Series::new(values)?;
    if let Some(c) = calendar {
        series = series.with_calendar(c);
    }
    Ok(LoadedSeries {
        series,
        column: headers[vcol].clone(),
        time_column: tcol.map(|c| headers[c].clone()),
        filled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn csv(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn fills_gaps_and_finds_columns() {
        let f = csv(
            "period,count\n2024-01-01 00:00:00,5\n2024-01-01 00:01:00,6\n2024-01-01 00:04:00,7\n",
        );
        let l = load_csv(f.path(), &CsvOptions::default()).unwrap();
        assert_eq!(l.series.values(), &[5.0, 6.0, 0.0, 0.0, 7.0]);
        assert_eq!(l.filled, 2);
        assert_eq!(l.series.calendar().unwrap().step_secs, 60);
        assert_eq!(l.column, "count");
    }

    #[test]
    fn clear_errors() {
        let f = csv("t,v\n2024-01-01,1\n2024-01-02,abc\n");
        let e = load_csv(f.path(), &CsvOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 3") && e.contains("abc"), "{e}");
        let f = csv("t,v\n2024-01-01,1\n");
        let o = CsvOptions {
            column: Some("x".into()),
            ..Default::default()
        };
        let e = load_csv(f.path(), &o).unwrap_err().to_string();
        assert!(e.contains("no column named `x`"), "{e}");
        let f = csv("t,v\n");
        assert_eq!(
            load_csv(f.path(), &CsvOptions::default()).unwrap_err(),
            ForecastError::EmptySeries
        );
        let f = csv("v\n1\nNaN\n");
        let e = load_csv(f.path(), &CsvOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("finite"), "{e}");
    }
}
