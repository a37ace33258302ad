//! Through what community building acts: with every direct benefit set to 0 it must still lower
//! hikikomori person-weeks, through the ties it makes; with its ties switched off as well it
//! must change nothing at all (so no hidden direct channel is left). The test prints how much
//! the ties carry.
//!
//! Fast version: 8,000 agents, 4 replicates, 156 recorded weeks after a 104-week burn-in,
//! 20 a year per head. The 20,000-agent decomposition in MODEL.md §11 comes from
//! `cocoon compare scenarios/policy/mechanisms.toml --set population.n=20000 --set replicates=4
//! --set ticks=260`.

mod policy_common;

use policy_common::{compare, paired, person_weeks};

#[test]
fn community_building_lowers_person_weeks_through_ties_alone() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let file = dir.path().join("mechanisms.toml");
    let on = "\"policy.budget_per_person\" = 20, \"policy.community_share\" = 1.0";
    let no_direct = "\"community.loneliness_effect\" = 0.0, \"services.loneliness_effect\" = 0.0, \"services.craving_effect\" = 0.0";
    let no_ties = "\"community.ties_per_attendee\" = 0.0, \"community.strengthen\" = 0.0, \"community.ties_per_member\" = 0.0";
    std::fs::write(
        &file,
        format!(
            "question = \"mechanism test\"\nbase = {base:?}\nbaseline_arm = \"no_policy\"\n\n\
             [[arm]]\nname = \"no_policy\"\n\n\
             [[arm]]\nname = \"community\"\nset = {{ {on} }}\n\n\
             [[arm]]\nname = \"no_direct\"\nset = {{ {on}, {no_direct} }}\n\n\
             [[arm]]\nname = \"neither\"\nset = {{ {on}, {no_direct}, {no_ties} }}\n",
            base = base.display().to_string()
        ),
    )
    .unwrap();
    let out = compare(
        &file,
        &dir.path().join("out"),
        &[
            "population.n=8000",
            "replicates=4",
            "ticks=156",
            "withdrawal.burn_in_ticks=104",
        ],
    );
    let pw = person_weeks(&out);
    let full = paired(&pw, "community", "no_policy");
    let ties = paired(&pw, "no_direct", "no_policy");
    let neither = paired(&pw, "neither", "no_policy");
    println!(
        "community building, hikikomori person-weeks against no spending (4,000 agents, 3 years):"
    );
    println!("  defaults:                       {full}");
    println!("  every direct benefit 0 (ties):  {ties}");
    println!("  direct benefits and ties 0:     {neither}");
    println!(
        "  share carried by ties (no-direct effect / full effect): {:.0}%",
        100.0 * ties.mean / full.mean
    );
    assert!(
        ties.hi < 0.0,
        "with no direct benefit community building should still lower person-weeks: {ties}"
    );
    assert!(
        neither.diffs.iter().all(|&d| d == 0.0),
        "with neither direct benefit nor ties community building must change nothing: {neither}"
    );
}
