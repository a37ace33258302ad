//! Budgets per head and the policy ledger, through the binary.
//!
//! - `policy.budget` and `policy.budget_per_person` exclude each other (exit 2, located error,
//!   nothing written).
//! - An absolute budget run with `--set population.n=...` warns that the money per head
//!   changed; a per-head budget does not.
//! - Event spending per head is the same (within ±10%) at 2,000 and 20,000 agents with the same
//!   budget per head: events are bought from a carried account, not floored each week, so
//!   over three years at most one event's money (about 6% at 2,000 agents) is still carried.
//! - No money moves silently: for every arm, credited = spent + unspent + carried.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{cocoon_in, path_arg, quiet_out_args, read, rejected, tempdir};

/// Final-tick value of every metric of replicate 0 in a run's `timeseries.csv`.
fn last_values(dir: &Path) -> BTreeMap<String, f64> {
    let text = read(&dir.join("timeseries.csv"));
    let mut last: BTreeMap<String, (i64, f64)> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 4 || f[0] != "0" {
            continue;
        }
        let (tick, value): (i64, f64) = (f[1].parse().unwrap(), f[3].parse().unwrap());
        let e = last.entry(f[2].to_string()).or_insert((tick, value));
        if tick >= e.0 {
            *e = (tick, value);
        }
    }
    last.into_iter().map(|(k, (_, v))| (k, v)).collect()
}

/// Runs the baseline scenario with `sets` and returns its final metrics and stderr.
fn run(sets: &[&str]) -> (BTreeMap<String, f64>, String) {
    let cwd = tempdir();
    let out = cwd.path().join("out");
    let mut extra = vec![
        "--set",
        "replicates=1",
        "--set",
        "withdrawal.burn_in_ticks=2",
    ];
    for s in sets {
        extra.push("--set");
        extra.push(s);
    }
    let args = quiet_out_args("run", &path_arg("scenarios/baseline.toml"), &out, &extra);
    let r = cocoon_in(cwd.path(), &args);
    r.expect_code(0);
    (last_values(&out), r.stderr)
}

#[test]
fn an_absolute_and_a_per_head_budget_exclude_each_other() {
    let cwd = tempdir();
    let file = cwd.path().join("both.toml");
    std::fs::write(
        &file,
        "model = \"withdrawal\"\nticks = 2\n\n[population]\nn = 500\n\n[policy]\nbudget = 1000\nbudget_per_person = 2\n",
    )
    .unwrap();
    let r = rejected("run", &file.display().to_string(), &[]);
    assert!(
        r.stderr.contains("budget_per_person") && r.stderr.contains("both.toml:9:"),
        "the error should name the key and its file:line:column\n{}",
        r.describe()
    );
    let r = rejected(
        "run",
        &path_arg("scenarios/baseline.toml"),
        &[
            "--set",
            "policy.budget=10",
            "--set",
            "policy.budget_per_person=1",
        ],
    );
    assert!(r.stderr.contains("--set"), "{}", r.describe());
}

#[test]
fn changing_n_under_an_absolute_budget_warns_and_per_head_does_not() {
    let common = ["population.n=600", "ticks=2", "policy.services_share=1"];
    let (_, stderr) = run(&[common[0], common[1], common[2], "policy.budget=1000"]);
    assert!(
        stderr.contains("warning") && stderr.contains("budget_per_person"),
        "expected a warning about the money per head, got {stderr:?}"
    );
    let (_, stderr) = run(&[
        common[0],
        common[1],
        common[2],
        "policy.budget_per_person=2",
    ]);
    assert!(!stderr.contains("warning"), "unexpected warning {stderr:?}");
}

#[test]
fn event_spending_per_head_does_not_depend_on_population_size_and_no_money_moves() {
    let mut per_head = Vec::new();
    for n in [2_000, 20_000] {
        let pop = format!("population.n={n}");
        let (m, _) = run(&[
            &pop,
            "ticks=156",
            "policy.budget_per_person=20",
            "policy.community_share=0.6",
            "policy.services_share=0.4",
            "services.link_worker_share=0.25",
        ]);
        let get = |k: &str| *m.get(k).unwrap_or_else(|| panic!("no metric {k}"));
        let credited = get("policy_credited_cumulative");
        let unspent: f64 = ["services", "community", "parenting", "anti_bullying"]
            .iter()
            .map(|l| get(&format!("unspent.{l}")))
            .sum();
        let accounted = get("policy_spend_cumulative") + unspent + get("policy_carried");
        assert!(
            (credited - accounted).abs() <= 1e-6 * credited,
            "n={n}: credited {credited} but spent + unspent + carried = {accounted}"
        );
        // Three years of community money: 20 x 0.6 x n a year, of which 70% for events.
        let expected = 3.0 * 20.0 * 0.6 * 0.7 * n as f64;
        assert!((credited - 3.0 * 20.0 * n as f64).abs() < 1e-6 * credited);
        let events = get("spend.events");
        assert!(
            events <= expected + 1e-6 && events > expected - get("policy_carried") - 1e-6,
            "n={n}: events spent {events} of {expected}; only a carried fraction may be left"
        );
        for cause in ["events", "recovery_groups", "link_workers"] {
            assert_eq!(get(&format!("policy_ties_refused.{cause}")), 0.0);
        }
        assert!(get("policy_ties_added.events") > 0.0);
        per_head.push(events / n as f64);
    }
    let ratio = per_head[0] / per_head[1];
    println!(
        "event spending per head: {:.3} at n=2,000, {:.3} at n=20,000 (ratio {ratio:.3})",
        per_head[0], per_head[1]
    );
    assert!(
        (0.9..=1.1).contains(&ratio),
        "event spending per head differs by more than 10%: {per_head:?}"
    );
}
