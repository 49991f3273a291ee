//! Fuzzed config files: every shipped scenario, agent and experiment file, and a trace CSV, are
//! mutated (each number to negative, zero, huge and NaN; each value to a wrong type and to null;
//! each key removed; an unknown key in each mapping; the text truncated; binary garbage) and the
//! mutants checked three ways:
//! - in the library (`Scenario::load` + the env config, `Agent::load`, `Experiment::load` +
//!   `check`), under `catch_unwind`: no panic, and a rejection names the file and a field;
//! - on the real binary (`scenario validate`, `experiment --check`, and `evaluate` on the tiny
//!   scenario for a sample): no panic, a non-zero exit exactly when the library rejects, and the
//!   message names the file;
//! - the mutant's own file is the one named (an experiment naming a bad scenario names that
//!   scenario).
//!
//! A mutant that is still a valid file is fine (e.g. a description set to `0`); only how bad
//! files fail is asserted.
//!
//! Built only without the `tch` feature (`make test` runs it as `cargo test --test fuzz_files`
//! before the `--features tch` run): it starts the binary several hundred times, and a binary
//! linked to libtorch spends about 0.4 s of every start loading it (the wheel's libtorch_cpu is
//! 440 MB, and its libtorch.so pulls in the CUDA libraries), which made this file take 540 s of a
//! fresh-clone `make test` on 2 cores instead of 36 s. Nothing it checks depends on `tch`: agent
//! files parse and validate the same way in both builds; the learners themselves are not built.
#![cfg(not(feature = "tch"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_yaml::{Mapping, Value};
use shopgym::agents::Agent;
use shopgym::env::EnvConfig;
use shopgym::experiment::Experiment;
use shopgym::scenario::Scenario;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// One mutated file: what was done, the text, and the key it touched (when one).
struct Mutant {
    what: String,
    text: Vec<u8>,
    key: Option<String>,
    kind: Kind,
    /// The mutated path (`pools[0].max`; empty for text mutants).
    path: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Value,
    WrongType,
    Removed,
    Unknown,
    Text,
}

fn shipped(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join(dir))
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

/// Paths inside a shipped file made absolute (mutants live in a temp dir).
fn absolutise(v: &mut Value, base: &Path) {
    let abs = |s: &mut Value| {
        if let Value::String(p) = s {
            *p = base.join(&*p).display().to_string();
        }
    };
    if let Some(t) = v
        .get_mut("traffic")
        .and_then(|t| t.get_mut("trace"))
        .and_then(|t| t.get_mut("file"))
    {
        abs(t);
    }
    if let Some(Value::Sequence(s)) = v.get_mut("scenarios") {
        s.iter_mut().for_each(abs);
    }
    if let Some(Value::Sequence(a)) = v.get_mut("agents") {
        for e in a {
            if let Some(f) = e.get_mut("file") {
                abs(f);
            }
        }
    }
}

fn dump(v: &Value) -> Vec<u8> {
    serde_yaml::to_string(v).expect("dumps").into_bytes()
}

/// Every mutant of `root` (see the module docs).
fn mutants(root: &Value) -> Vec<Mutant> {
    let mut out = Vec::new();
    walk(root, &mut Vec::new(), root, &mut out);
    let text = dump(root);
    for frac in [0.25, 0.5, 0.75, 0.9] {
        let cut = (text.len() as f64 * frac) as usize;
        out.push(Mutant {
            what: format!("truncated to {cut} bytes"),
            text: text[..cut].to_vec(),
            key: None,
            kind: Kind::Text,
            path: String::new(),
        });
    }
    let garbage: Vec<u8> = (0..512u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    for (what, text) in [
        ("empty", Vec::new()),
        ("binary", garbage.clone()),
        ("binary after the text", [text.clone(), garbage].concat()),
        ("a bare scalar", b"42\n".to_vec()),
        ("a sequence", b"- 1\n- 2\n".to_vec()),
    ] {
        out.push(Mutant {
            what: what.into(),
            text,
            key: None,
            kind: Kind::Text,
            path: String::new(),
        });
    }
    out
}

#[derive(Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn path_str(path: &[Seg]) -> String {
    let mut s = String::new();
    for p in path {
        match p {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

fn replaced(root: &Value, path: &[Seg], with: Option<Value>) -> Value {
    let mut v = root.clone();
    let mut cur = &mut v;
    for (k, seg) in path.iter().enumerate() {
        let last = k + 1 == path.len();
        match (seg, cur) {
            (Seg::Key(key), Value::Mapping(m)) => {
                let key = Value::String(key.clone());
                if last {
                    match &with {
                        Some(w) => {
                            m.insert(key, w.clone());
                        }
                        None => {
                            m.remove(&key);
                        }
                    }
                    return v;
                }
                cur = m.get_mut(&key).expect("path exists");
            }
            (Seg::Index(i), Value::Sequence(s)) => {
                if last {
                    match &with {
                        Some(w) => s[*i] = w.clone(),
                        None => {
                            s.remove(*i);
                        }
                    }
                    return v;
                }
                cur = &mut s[*i];
            }
            _ => unreachable!("paths come from the walk"),
        }
    }
    with.unwrap_or(Value::Null)
}

fn last_key(path: &[Seg]) -> Option<String> {
    path.iter().rev().find_map(|s| match s {
        Seg::Key(k) => Some(k.clone()),
        Seg::Index(_) => None,
    })
}

fn walk(v: &Value, path: &mut Vec<Seg>, root: &Value, out: &mut Vec<Mutant>) {
    let here_path = path_str(path);
    let mut push = |what: String, with: Option<Value>, kind: Kind, key: Option<String>| {
        out.push(Mutant {
            what,
            text: dump(&replaced(root, path, with)),
            key,
            kind,
            path: here_path.clone(),
        });
    };
    let here = path_str(path);
    match v {
        Value::Number(_) => {
            for (name, n) in [
                ("-1", Value::from(-1)),
                ("0", Value::from(0)),
                ("1e300", Value::from(1e300)),
                ("NaN", Value::from(f64::NAN)),
                ("-0.5", Value::from(-0.5)),
            ] {
                push(
                    format!("{here} = {name}"),
                    Some(n),
                    Kind::Value,
                    last_key(path),
                );
            }
            push(
                format!("{here} = \"abc\""),
                Some(Value::from("abc")),
                Kind::WrongType,
                last_key(path),
            );
        }
        Value::String(_) => {
            push(
                format!("{here} = 12345"),
                Some(Value::from(12345)),
                Kind::Value,
                last_key(path),
            );
            push(
                format!("{here} = {{}}"),
                Some(Value::Mapping(Mapping::new())),
                Kind::WrongType,
                last_key(path),
            );
        }
        Value::Bool(_) => push(
            format!("{here} = \"maybe\""),
            Some(Value::from("maybe")),
            Kind::WrongType,
            last_key(path),
        ),
        Value::Sequence(s) => {
            push(
                format!("{here} = []"),
                Some(Value::Sequence(Vec::new())),
                Kind::Value,
                last_key(path),
            );
            for (i, x) in s.iter().enumerate() {
                path.push(Seg::Index(i));
                walk(x, path, root, out);
                path.pop();
            }
        }
        Value::Mapping(m) => {
            let mut with = m.clone();
            with.insert(Value::from("zz_unknown"), Value::from(1));
            push(
                format!("{here}.zz_unknown added"),
                Some(Value::Mapping(with)),
                Kind::Unknown,
                Some("zz_unknown".into()),
            );
            for (k, x) in m {
                let Some(k) = k.as_str() else { continue };
                path.push(Seg::Key(k.to_string()));
                let key_path = path_str(path);
                let mut push = |what: String, with: Option<Value>, kind: Kind| {
                    out.push(Mutant {
                        what,
                        text: dump(&replaced(root, path, with)),
                        key: Some(k.to_string()),
                        kind,
                        path: key_path.clone(),
                    });
                };
                push(format!("{} removed", path_str(path)), None, Kind::Removed);
                push(
                    format!("{} = null", path_str(path)),
                    Some(Value::Null),
                    Kind::Value,
                );
                walk(x, path, root, out);
                path.pop();
            }
        }
        Value::Null | Value::Tagged(_) => {}
    }
}

/// Runs `load` under `catch_unwind`; a panic fails the test with the mutant's description.
fn no_panic<T>(
    what: &str,
    file: &Path,
    load: impl FnOnce() -> Result<T, String>,
) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(load))
        .unwrap_or_else(|_| panic!("{}: {what}: panicked", file.display()))
}

/// The rejection names the file and a field; unknown keys and wrong types name the key.
fn check_message(m: &Mutant, file: &Path, err: &str) {
    let name = file.display().to_string();
    assert!(
        err.contains(&name),
        "{name}: {}: message does not name the file: {err}",
        m.what
    );
    if m.kind == Kind::Text {
        return;
    }
    assert!(
        err.contains("field `"),
        "{name}: {}: message does not name a field: {err}",
        m.what
    );
    // An unknown key or a wrong type names the key, or the section it sits in (serde cannot see
    // inside a tagged enum such as a fault: `faults[0]`), never just the top level.
    if let (Kind::Unknown | Kind::WrongType, Some(k)) = (m.kind, &m.key) {
        let field = err
            .split("field `")
            .nth(1)
            .and_then(|r| r.split('`').next())
            .unwrap_or("");
        let enclosing = !field.is_empty() && field != "(top level)" && m.path.starts_with(field);
        assert!(
            err.contains(k.as_str()) || enclosing,
            "{name}: {}: message names neither `{k}` nor its section: {err}",
            m.what
        );
    }
}

fn shopgym(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shopgym"))
        .args(args)
        .output()
        .expect("runs")
}

/// The binary fails exactly when the library rejects (`exact`), or at least then (an agent run
/// on a scenario it does not fit fails too); any failure names the file.
fn check_cli(m: &Mutant, file: &Path, rejected: bool, exact: bool, out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    let name = file.display();
    assert!(
        !err.contains("panicked"),
        "{name}: {}: panicked: {err}",
        m.what
    );
    let consistent = if exact {
        out.status.success() != rejected
    } else {
        !(rejected && out.status.success())
    };
    assert!(
        consistent,
        "{name}: {}: exit {:?}, library rejected: {rejected}: {err}",
        m.what,
        out.status.code()
    );
    if !out.status.success() {
        assert!(
            err.contains(&name.to_string()),
            "{name}: {}: message does not name the file: {err}",
            m.what
        );
    }
}

fn load_scenario(path: &Path) -> Result<Scenario, String> {
    let s = Scenario::load(path).map_err(|e| e.to_string())?;
    EnvConfig::from_scenario(&s).map_err(|e| format!("{e:#}"))?;
    Ok(s)
}

/// Runs every mutant of each `files` through `load`; every `cli_every`-th (and every text
/// mutant) also on the binary: `cli(shipped file, mutant)` gives the arguments, `None` to skip.
/// Returns (mutants, rejected, run on the binary).
fn fuzz(
    files: &[PathBuf],
    load: &dyn Fn(&Path) -> Result<(), String>,
    cli: &dyn Fn(&Path, &str) -> Option<Vec<String>>,
    cli_every: usize,
    exact: bool,
) -> (usize, usize, usize) {
    let dir = tempfile::tempdir().expect("tmp");
    let (mut n, mut rejected, mut on_cli) = (0, 0, 0);
    for f in files {
        let text = std::fs::read_to_string(f).expect("reads");
        let mut root: Value = serde_yaml::from_str(&text).expect("shipped file parses");
        absolutise(&mut root, f.parent().expect("parent"));
        let stem = f.file_stem().expect("stem").to_string_lossy().into_owned();
        // Families and full-scale variants share their structure with the fixed scenario they
        // derive from and cost more to load (a family validates its corners and seeded draws):
        // every 8th of their mutants is enough to cover their own fields. So for an experiment
        // that loads families (each of its mutants loads them all again).
        let costly = stem.ends_with("_family") || stem.ends_with("_full");
        let keep_every = if costly || text.contains("_family.yaml") {
            8
        } else {
            1
        };
        for (i, m) in mutants(&root).iter().enumerate() {
            if i % keep_every != 0 && m.kind != Kind::Text {
                continue;
            }
            let path = dir.path().join(format!("{stem}_m{i}.yaml"));
            std::fs::write(&path, &m.text).expect("write");
            let r = no_panic(&m.what, &path, || load(&path));
            if let Err(e) = &r {
                check_message(m, &path, e);
                rejected += 1;
            }
            if i % cli_every == 0 || m.kind == Kind::Text {
                if let Some(args) = cli(f, &path.display().to_string()) {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    check_cli(m, &path, r.is_err(), exact, &shopgym(&args));
                    on_cli += 1;
                }
            }
            n += 1;
        }
    }
    (n, rejected, on_cli)
}

#[test]
fn mutated_scenario_files_fail_cleanly() {
    let files = shipped("scenarios");
    assert!(files.len() >= 8);
    let (n, rejected, cli) = fuzz(
        &files,
        &|p| load_scenario(p).map(|_| ()),
        &|_, p| Some(vec!["scenario".into(), "validate".into(), p.into()]),
        11,
        true,
    );
    eprintln!("scenario mutants: {n}, rejected {rejected}, on the binary {cli}");
    assert!(
        n > 1000 && rejected > n / 2,
        "{n} mutants, {rejected} rejected"
    );
}

#[test]
fn mutated_agent_files_fail_cleanly() {
    let files = shipped("agents");
    let tiny = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(tiny.path(), common::TINY).expect("write");
    let tiny_path = tiny.path().display().to_string();
    let (n, rejected, cli) = fuzz(
        &files,
        &|p| {
            let a = Agent::load(p).map_err(|e| e.to_string())?;
            let s = Scenario::from_yaml(common::TINY, Path::new("tiny.yaml")).expect("tiny");
            a.env_config(&s)
                .map_err(|e| format!("{}: {e}", p.display()))?;
            Ok(())
        },
        // `evaluate` refuses a learner without a checkpoint whatever its file says, so the
        // binary runs baselines' mutants (one episode on the tiny scenario); learners' files are
        // checked in the library (what `evaluate` and `train` load them with).
        &|shipped, p| {
            let text = std::fs::read_to_string(shipped).expect("reads");
            let learner = ["q_learning", "dqn", "ppo"]
                .iter()
                .any(|k| text.contains(&format!("agent: {k}")));
            (!learner).then(|| {
                vec![
                    "evaluate".into(),
                    "--scenario".into(),
                    tiny_path.clone(),
                    "--agent".into(),
                    p.into(),
                    "--episodes".into(),
                    "1".into(),
                ]
            })
        },
        3,
        false,
    );
    eprintln!("agent mutants: {n}, rejected {rejected}, on the binary {cli}");
    assert!(
        n > 300 && rejected > n / 2,
        "{n} mutants, {rejected} rejected"
    );
}

#[test]
fn mutated_experiment_files_fail_cleanly_and_check_names_the_bad_referenced_file() {
    let files = shipped("experiments");
    for f in &files {
        let o = shopgym(&["experiment", &f.display().to_string(), "--check"]);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success() && text.contains(": ok ("),
            "{}: {text}",
            f.display()
        );
    }
    let (n, rejected, cli) = fuzz(
        &files,
        &|p| {
            let e = Experiment::load(p).map_err(|e| e.to_string())?;
            e.check().map_err(|e| e.to_string())
        },
        &|_, p| Some(vec!["experiment".into(), p.into(), "--check".into()]),
        3,
        true,
    );
    eprintln!("experiment mutants: {n}, rejected {rejected}, on the binary {cli}");
    assert!(
        n > 100 && rejected > n / 3,
        "{n} mutants, {rejected} rejected"
    );

    // A valid experiment naming a bad scenario or agent: the message names that file.
    let dir = tempfile::tempdir().expect("tmp");
    let bad_scenario = dir.path().join("bad_scenario.yaml");
    std::fs::write(
        &bad_scenario,
        common::TINY.replace("budget: 12", "budget: -3"),
    )
    .expect("w");
    let bad_agent = dir.path().join("bad_agent.yaml");
    std::fs::write(&bad_agent, "agent: q_learning\ngamma: 7\n").expect("w");
    let good_agent = Path::new(ROOT).join("agents/static.yaml");
    let good_scenario = dir.path().join("tiny.yaml");
    std::fs::write(&good_scenario, common::TINY).expect("w");
    for (scenario, agent, named, field) in [
        (&bad_scenario, &good_agent, &bad_scenario, "budget"),
        (&good_scenario, &bad_agent, &bad_agent, "gamma"),
    ] {
        let exp = dir.path().join("exp.yaml");
        std::fs::write(
            &exp,
            format!(
                "name: x\nscenarios: [{}]\nagents: [{{ file: {} }}]\nreference: {}\nseeds: {{ count: 1 }}\n",
                scenario.display(),
                agent.display(),
                agent.file_stem().expect("stem").to_string_lossy()
            ),
        )
        .expect("w");
        let o = shopgym(&["experiment", &exp.display().to_string(), "--check"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success());
        assert!(
            err.contains(&named.display().to_string()) && err.contains(field),
            "{err}"
        );
    }
}

/// A tiny scenario over a trace CSV, and mutants of the CSV: the scenario must name the field,
/// the CSV and (for rows) the line.
#[test]
fn mutated_trace_csvs_fail_cleanly() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut rows = vec!["period,count".to_string()];
    for m in 0..20 {
        rows.push(format!("2024-11-29 00:{m:02}:00,{}", 1200 + 37 * m));
    }
    let scenario_text = common::TINY.replace(
        "  synthetic:\n    base_rate: 40\n    promotions: [ { start_s: 600, ramp_s: 60, peak: 3, hold_s: 300 } ]\n",
        "  trace: { file: trace.csv, time_column: period, value_column: count }\n",
    );
    assert!(scenario_text.contains("trace.csv"));
    let scenario = dir.path().join("traced.yaml");
    std::fs::write(&scenario, &scenario_text).expect("w");
    let csv = dir.path().join("trace.csv");
    std::fs::write(&csv, rows.join("\n")).expect("w");
    load_scenario(&scenario).expect("the unmutated trace loads");

    let swap = |i: usize, j: usize| {
        let mut r = rows.clone();
        r.swap(i, j);
        r.join("\n")
    };
    let with_row = |i: usize, row: &str| {
        let mut r = rows.clone();
        r[i] = row.to_string();
        r.join("\n")
    };
    let mut cases: Vec<(String, String)> = vec![
        ("unsorted".into(), swap(3, 9)),
        ("duplicate timestamp".into(), with_row(5, &rows[4].clone())),
        ("header only".into(), rows[0].clone()),
        ("empty".into(), String::new()),
        ("binary".into(), "\u{0}\u{1}\u{fffd}PK\u{3}\u{4}".repeat(40)),
        (
            "no count column".into(),
            rows.join("\n").replace("period,count", "period,n"),
        ),
        (
            "no period column".into(),
            rows.join("\n").replace("period,count", "t,count"),
        ),
    ];
    for (i, bad) in [
        "2024-13-29 00:05:00,10",
        "2024-11-29 25:05:00,10",
        "yesterday,10",
        ",10",
        "2024-11-29 00:05:00,NaN",
        "2024-11-29 00:05:00,inf",
        "2024-11-29 00:05:00,-4",
        "2024-11-29 00:05:00,",
        "2024-11-29 00:05:00,ten",
        "2024-11-29 00:05:00,10,11",
        "2024-11-29 00:05:00",
        "2024-11-29 00:05:00,1e400",
    ]
    .iter()
    .enumerate()
    {
        cases.push((format!("row {bad:?}"), with_row(2 + i % 15, bad)));
    }
    for (what, text) in &cases {
        std::fs::write(&csv, text).expect("w");
        let r = no_panic(what, &scenario, || load_scenario(&scenario));
        let err = r.err().unwrap_or_else(|| panic!("{what}: accepted"));
        let name = scenario.display().to_string();
        assert!(
            err.contains(&name) && err.contains("field `traffic.trace"),
            "{what}: {err}"
        );
        assert!(
            err.contains("trace.csv"),
            "{what}: does not name the CSV: {err}"
        );
        let o = shopgym(&["scenario", "validate", &name]);
        assert!(!o.status.success(), "{what}: validate accepted");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            !e.contains("panicked") && e.contains("trace.csv"),
            "{what}: {e}"
        );
    }
    eprintln!("trace mutants: {}", cases.len());

    // An empty value is an error unless the scenario says empty rows are gaps (`empty_is_gap`);
    // then the row counts as absent, and a row with text in it is still refused.
    std::fs::write(&csv, with_row(5, "2024-11-29 00:04:00,")).expect("w");
    assert!(load_scenario(&scenario).is_err());
    std::fs::write(
        &scenario,
        scenario_text.replace(
            "value_column: count }",
            "value_column: count, empty_is_gap: true }",
        ),
    )
    .expect("w");
    load_scenario(&scenario).expect("an empty row is a gap");
    std::fs::write(&csv, with_row(5, "2024-11-29 00:04:00,ten")).expect("w");
    assert!(load_scenario(&scenario).is_err());
}
