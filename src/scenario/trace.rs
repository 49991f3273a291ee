//! Reading a traffic trace CSV into per-row, per-class rates.
//!
//! Timestamps are `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DDTHH:MM:SS`), treated as UTC-like civil
//! time; the row length is inferred from the smallest positive step between timestamps and
//! missing rows count as zero traffic (as the WorldCup98 trace needs).

use std::path::Path;

use super::spec::{TraceSpec, TraceValues};
use crate::io::{ConfigError, Ctx};

/// A loaded trace.
#[derive(Debug, Clone)]
pub struct LoadedTrace {
    /// Row length [s].
    pub row_s: f64,
    /// `rows[i][c]` rate [req/s] of class `c` (or the total in column 0 when `per_class` is false).
    pub rows: Vec<Vec<f64>>,
    pub per_class: bool,
    /// Seconds since Monday 00:00 of the first replayed row, when timestamps are known.
    pub start_offset_s: Option<f64>,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since 1970-01-01 00:00:00 of a `YYYY-MM-DD HH:MM:SS` timestamp.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once([' ', 'T'])?;
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let mo: u32 = d.next()?.parse().ok()?;
    let da: u32 = d.next()?.parse().ok()?;
    let mut t = time.split(':');
    let h: i64 = t.next()?.parse().ok()?;
    let mi: i64 = t.next()?.parse().ok()?;
    let se: i64 = t.next().unwrap_or("0").parse().ok()?;
    if d.next().is_some()
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&da)
        || h > 23
        || mi > 59
        || se > 60
    {
        return None;
    }
    Some(days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60 + se)
}

/// Seconds since Monday 00:00 of a unix time (1970-01-01 was a Thursday).
pub fn time_of_week(unix_s: i64) -> f64 {
    (unix_s + 3 * 86_400).rem_euclid(7 * 86_400) as f64
}

/// Loads the trace named by `spec`, resolved relative to `scenario_dir`. `classes` gives the class
/// order for `class_columns`.
pub(crate) fn load(
    spec: &TraceSpec,
    scenario_dir: &Path,
    classes: &[String],
    ctx: &Ctx,
) -> Result<LoadedTrace, ConfigError> {
    let path = scenario_dir.join(&spec.file);
    // The trace's path, kind kept (a missing file is `NotFound`), and the field of the scenario
    // that names it: the scenario file is what to fix.
    let io = |e: std::io::Error| ConfigError::Io {
        file: path.clone(),
        cause: std::io::Error::new(
            e.kind(),
            format!(
                "{e} (the trace named by field `traffic.trace.file` of {})",
                ctx.file.display()
            ),
        ),
    };
    let file = std::fs::File::open(&path).map_err(io)?;
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(file);
    let headers = rdr
        .headers()
        .map_err(|e| {
            ctx.invalid(
                "traffic.trace.file",
                path.display(),
                format!("bad CSV header: {e}"),
            )
        })?
        .clone();
    let col = |name: &str, field: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            ctx.invalid(
                field,
                name,
                format!(
                    "no such column in {} (columns: {:?})",
                    path.display(),
                    headers.iter().collect::<Vec<_>>()
                ),
            )
        })
    };
    let per_class = !spec.class_columns.is_empty();
    let value_cols: Vec<usize> = if per_class {
        let mut v = Vec::new();
        for c in classes {
            let name = spec.class_columns.get(c).ok_or_else(|| {
                ctx.invalid(
                    format!("traffic.trace.class_columns.{c}"),
                    "(missing)",
                    "every class needs a column when class_columns is given",
                )
            })?;
            v.push(col(name, &format!("traffic.trace.class_columns.{c}"))?);
        }
        v
    } else {
        vec![col(&spec.value_column, "traffic.trace.value_column")?]
    };
    let time_col = spec
        .time_column
        .as_deref()
        .map(|t| col(t, "traffic.trace.time_column"))
        .transpose()?;

    let mut stamps = Vec::new();
    let mut values: Vec<Vec<f64>> = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| {
            ctx.invalid(
                "traffic.trace.file",
                path.display(),
                format!("line {line}: {e}"),
            )
        })?;
        // With timestamps and `empty_is_gap`, a row whose values are all empty is a gap (no log
        // covers it, as in the NASA trace's hourly file): the same as an absent row.
        if spec.empty_is_gap
            && time_col.is_some()
            && value_cols
                .iter()
                .all(|&vc| rec.get(vc).is_some_and(str::is_empty))
        {
            continue;
        }
        if let Some(tc) = time_col {
            let raw = rec.get(tc).unwrap_or("");
            let ts = parse_timestamp(raw).ok_or_else(|| {
                ctx.invalid(
                    "traffic.trace.time_column",
                    raw,
                    format!(
                        "{} line {line}: not a YYYY-MM-DD HH:MM:SS timestamp",
                        path.display()
                    ),
                )
            })?;
            stamps.push(ts);
        }
        let mut row = Vec::with_capacity(value_cols.len());
        for &vc in &value_cols {
            let raw = rec.get(vc).unwrap_or("");
            let v: f64 = raw.parse().map_err(|_| {
                ctx.invalid(
                    "traffic.trace.file",
                    raw,
                    format!(
                        "{} line {line}, column {}: not a number",
                        path.display(),
                        &headers[vc]
                    ),
                )
            })?;
            if !v.is_finite() || v < 0.0 {
                return Err(ctx.invalid(
                    "traffic.trace.file",
                    v,
                    format!(
                        "{} line {line}: traffic must be finite and >= 0",
                        path.display()
                    ),
                ));
            }
            row.push(v);
        }
        values.push(row);
    }
    if values.is_empty() {
        return Err(ctx.invalid(
            "traffic.trace.file",
            path.display(),
            "the trace has no rows",
        ));
    }

    let (row_s, rows, start_offset_s) = if time_col.is_some() {
        let step = stamps
            .windows(2)
            .map(|w| w[1] - w[0])
            .filter(|&d| d > 0)
            .min()
            .unwrap_or(spec.row_s as i64);
        if stamps.windows(2).any(|w| w[1] <= w[0]) {
            return Err(ctx.invalid(
                "traffic.trace.time_column",
                path.display(),
                "timestamps must be strictly increasing",
            ));
        }
        let first = match &spec.start {
            Some(s) => parse_timestamp(s).ok_or_else(|| {
                ctx.invalid(
                    "traffic.trace.start",
                    s,
                    "not a YYYY-MM-DD HH:MM:SS timestamp",
                )
            })?,
            None => stamps[0],
        };
        let last = *stamps.last().expect("non-empty");
        if first < stamps[0] || first > last {
            return Err(ctx.invalid(
                "traffic.trace.start",
                spec.start.as_deref().unwrap_or(""),
                "outside the trace's time range",
            ));
        }
        let n = ((last - first) / step + 1) as usize;
        let mut rows = vec![vec![0.0; value_cols.len()]; n];
        for (ts, v) in stamps.iter().zip(values) {
            if *ts >= first {
                let k = ((ts - first) / step) as usize;
                rows[k] = v;
            }
        }
        (step as f64, rows, Some(time_of_week(first)))
    } else {
        if !(spec.row_s.is_finite() && spec.row_s > 0.0) {
            return Err(ctx.invalid("traffic.trace.row_s", spec.row_s, "must be > 0"));
        }
        (spec.row_s, values, None)
    };
    let rows = match spec.values {
        TraceValues::Counts => rows
            .into_iter()
            .map(|r| r.into_iter().map(|v| v / row_s).collect())
            .collect(),
        TraceValues::Rate => rows,
    };
    Ok(LoadedTrace {
        row_s,
        rows,
        per_class,
        start_offset_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_to_unix_seconds() {
        assert_eq!(parse_timestamp("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_timestamp("1998-06-30 12:00:00"), Some(899_208_000));
        assert_eq!(parse_timestamp("2000-02-29T01:02:03"), Some(951_786_123));
        assert_eq!(parse_timestamp("1998-13-01 00:00:00"), None);
        assert_eq!(parse_timestamp("garbage"), None);
        // 1998-06-30 was a Tuesday: one day past Monday.
        assert_eq!(time_of_week(899_164_800), 86_400.0);
    }
}
