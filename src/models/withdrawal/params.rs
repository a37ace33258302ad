//! Every parameter of the withdrawal model: key, default, range, unit, meaning and source.
//! `docs/MODEL.md` and `cocoon params` are generated from or checked against this table.
//!
//! Values marked `assumption` are not measured anywhere; values marked `calibrated` were tuned
//! so the model reproduces the targets named in the source column (see `scenarios/presets/`).

use super::burn_in::Acts;
use crate::scenario::{Applies, ParamSpec, Params};

/// The withdrawal model's keys apply when `model = "withdrawal"` (used by every mechanism's table).
pub(super) const W: Applies = Applies::When {
    key: "model",
    values: &["withdrawal"],
};
/// Upper bound of a share or probability.
pub(super) const P: f64 = 1.0;

macro_rules! real {
    ($k:literal, $d:expr, $lo:expr, $hi:expr, $u:literal, $m:literal, $s:literal) => {
        ParamSpec::real($k, $d, $lo, $hi, $u, $m, $s, W)
    };
}
macro_rules! int {
    ($k:literal, $d:expr, $lo:expr, $hi:expr, $u:literal, $m:literal, $s:literal) => {
        ParamSpec::int($k, $d, $lo, $hi, $u, $m, $s, W)
    };
}
macro_rules! switch {
    ($k:literal, $m:literal) => {
        ParamSpec::switch($k, true, $m, "model structure", W)
    };
}

/// When [`SPECS`] first act: from setup and the first burn-in tick (they enter the burn-in
/// signature).
pub(super) const ACTS: Acts = Acts::DuringBurnIn;

/// The withdrawal model's parameter table.
pub static SPECS: &[ParamSpec] = &[
    // Run structure.
    int!("withdrawal.burn_in_ticks", 3120, 0, 100_000, "weeks", "Ticks simulated before tick 0 so a run starts from the model's own steady state.", "measured (60 years: the stock of long episodes at ages 30-64 fills only as the set-up generation, which has no history of withdrawal, is replaced, 53 years; with 20 years prevalence still rose 0.1-0.2 pp a decade; docs/MODEL.md §3.3; a drift test in tests/targets.rs checks the decade after it)"),
    // Population.
    int!("population.n", 100_000, 50, 100_000_000, "agents", "Number of agents (ages 12-64).", "assumption"),
    int!("population.groups", 8, 1, 10_000, "groups", "Community or cultural groups; bonding ties stay within, bridging ties cross.", "assumption"),
    int!("population.neighbourhood_size", 2000, 10, 1_000_000, "agents", "Agents per neighbourhood; youth of a neighbourhood share a school.", "assumption, range 500-5,000; 2,000 (v2) so that the shared neighbourhood effect on loneliness reaches distance 3 as in Cacioppo et al. 2009 (with 500 it held only the distance-2 shell and the excess fell to ~0 at distance 3; docs/MODEL.md §11)"),
    real!("population.neighbourhood_lonely_sd", 0.24, 0.0, 10.0, "log-odds (sd)", "Standard deviation of neighbourhood effects on loneliness (e.g. low social cohesion): the neighbourhoods get the midpoints of equal strata of a uniform distribution with this sd, in random order, so every population size has the same spread.", "calibrated with population.neighbourhood_size and loneliness.spread to the loneliness excess by network distance, +52/+25/+15/0% (Cacioppo et al. 2009), against a permutation null, at 20,000 and 100,000 agents after 5- and 50-year burn-ins (0.27 before the draws were stratified; docs/MODEL.md §11); prior 0-0.5 (neighbourhood cohesion is linked to loneliness)"),
    real!("population.segregation", 0.6, 0.0, P, "share", "Chance an agent belongs to its neighbourhood's majority group (else any group).", "assumption"),
    int!("population.household_max", 5, 1, 20, "agents", "Household sizes are uniform from 1 to this.", "assumption (mean 3)"),
    real!("population.male_share", 0.5, 0.0, P, "share", "Share of agents who are male.", "census convention"),
    real!("population.supportive_share", 0.6, 0.0, P, "share of households", "Households with supportive parenting.", "assumption (Krieg & Dickie 2013 contrast groups)"),
    real!("population.rejecting_share", 0.2, 0.0, P, "share of households", "Households with rejecting parenting; the rest are overprotective.", "assumption; Kato et al. 2019 name overprotection (kahogo)"),
    real!("population.parent_phone_mean", 0.4, 0.0, P, "0-1 scale", "Mean of parents' own phone use (uniform around it, width 0.4).", "assumption"),
    real!("population.mediation_supportive", 0.6, 0.0, P, "probability", "Chance a supportive household mediates youth screen time (others: a third of it).", "Ren & Zhu 2022 (direction); size assumption"),
    real!("population.role_young_adult", 0.75, 0.0, P, "share", "Young adults (18-29) in work or education.", "assumption (OECD NEET rates 10-25%)"),
    real!("population.role_adult", 0.8, 0.0, P, "share", "Adults (30-64) in work.", "assumption"),
    int!("population.work_size", 40, 2, 100_000, "agents", "Agents per workplace.", "assumption"),
    real!("population.bully_share", 0.1, 0.0, P, "share of youth", "Youth who bully others.", "assumption (perpetration 10-15% in school surveys)"),
    // Attachment (Krieg & Dickie 2013; Zhang et al. 2022).
    real!("attachment.anxious_base", -2.0, -10.0, 10.0, "log-odds", "Baseline log-odds of anxious-ambivalent attachment.", "calibrated: about 20% anxious"),
    real!("attachment.anxious_rejecting", 1.2, -10.0, 10.0, "log-odds", "Rejecting parenting -> anxious attachment.", "Krieg & Dickie 2013 (pathway); size assumption"),
    real!("attachment.anxious_overprotective", 0.5, -10.0, 10.0, "log-odds", "Overprotective parenting -> anxious attachment.", "Kato et al. 2019 (named factor); size assumption"),
    real!("attachment.anxious_shyness", 1.5, -10.0, 10.0, "log-odds per unit shyness", "Shyness -> anxious attachment.", "Krieg & Dickie 2013 (pathway); size assumption"),
    real!("attachment.anxious_parent_phone", 0.8, -10.0, 10.0, "log-odds per unit", "Parents' phone use -> anxious attachment.", "assumption (Zhang et al. 2022 link phone use and anxiety)"),
    real!("attachment.avoidant_base", -1.9, -10.0, 10.0, "log-odds", "Baseline log-odds of avoidant attachment.", "calibrated: about 15% avoidant"),
    real!("attachment.avoidant_rejecting", 0.8, -10.0, 10.0, "log-odds", "Rejecting parenting -> avoidant attachment.", "assumption"),
    real!("attachment.avoidant_parent_phone", 0.5, -10.0, 10.0, "log-odds per unit", "Parents' phone use -> avoidant attachment.", "assumption"),
    // Initial ties.
    int!("ties.school", 8, 0, 200, "ties", "Peer ties each youth forms at school (neighbourhood youth).", "assumption"),
    int!("ties.work", 6, 0, 200, "ties", "Peer ties each worker forms at work.", "assumption"),
    int!("ties.community", 4, 0, 200, "ties", "Community ties each agent forms in its neighbourhood (any group).", "assumption"),
    int!("ties.online", 3, 0, 200, "ties", "Online-only ties per agent, anywhere in the population.", "assumption"),
    real!("ties.family_weight", 0.8, 0.0, P, "strength", "Strength of household ties (they do not decay).", "assumption"),
    real!("ties.initial_weight", 0.5, 0.01, P, "strength", "Strength of initial non-family ties.", "assumption"),
    real!("ties.grow", 0.1, 0.0, P, "per week", "Growth of a tie's strength per week of full joint contact.", "assumption"),
    real!("ties.decay", 0.04, 0.0, P, "per week", "Decay of a tie's strength per week without contact.", "assumption (ties fade over months)"),
    real!("ties.drop_below", 0.05, 0.0, P, "strength", "Non-family ties weaker than this are dropped.", "assumption"),
    real!("ties.shed", 0.03, 0.0, P, "probability per week", "Chance a lonely agent drops one of its non-family ties.", "Cacioppo et al. 2009: lonely people shed ties (direction); size calibrated so 35-47% of current cases last 3+ years (Yong & Nomura 2019: 41%) after the 60-year burn-in: 0.04 gave 0.54, 0.03 0.35, 0.02 0.21 (20,000 agents; roles.regain_isolated moves it little), range 0.01-0.06"),
    real!("ties.closure", 0.04, 0.0, P, "probability per week", "Chance an agent meets a friend of a friend (triadic closure), times days out / 7.", "assumption"),
    real!("ties.closure_cross", 0.3, 0.0, P, "probability", "Chance a friend-of-friend meeting across groups becomes a tie (within: always).", "assumption (homophily)"),
    real!("ties.mixing", 0.02, 0.0, P, "probability per week", "Chance an agent meets a random neighbour in a community setting, times days out / 7.", "assumption"),
    real!("ties.mixing_cross", 0.6, 0.0, P, "probability", "Chance a community-setting meeting across groups becomes a tie.", "assumption"),
    real!("ties.new_weight", 0.25, 0.01, P, "strength", "Strength of a newly formed tie.", "assumption"),
    int!("ties.slack", 8, 0, 1000, "slots", "Spare tie slots per agent beyond 1.5 x its initial degree (memory bound).", "engineering"),
    // Days out of home.
    real!("days.base", 1.02, -20.0, 20.0, "log-odds", "Intercept of the weekly propensity to leave home.", "calibrated: Japan 15-39 at 1.57% (Cabinet Office 2015) and 40-64 at 1.45% (2019) together with days.young_adult, after the 60-year burn-in (20,000 agents, 3 replicates; docs/MODEL.md §11); range 0.8-1.2"),
    real!("days.role", 1.2, -20.0, 20.0, "log-odds", "Pull of school or work.", "assumption"),
    real!("days.pull", 1.5, -20.0, 20.0, "log-odds", "Pull of in-person ties (saturating in total strength).", "assumption"),
    real!("days.invite", 0.6, -20.0, 20.0, "log-odds", "Pull of contacts who go out (share of ties out 4+ days).", "assumption"),
    real!("days.shyness", 1.0, -20.0, 20.0, "log-odds per unit", "Shyness keeps agents home.", "Krieg & Dickie 2013 (direction)"),
    real!("days.anxious", 0.4, -20.0, 20.0, "log-odds", "Anxious attachment keeps agents home.", "Krieg & Dickie 2013 (direction)"),
    real!("days.rejection", 2.0, -20.0, 20.0, "log-odds per unit", "Recent rejection keeps agents home.", "Krieg & Dickie 2013 (direction); Yong & Nomura 2019 OR 2.30 for interpersonal difficulties is cross-sectional, not a weekly effect (docs/MODEL.md §7.16), so the size is an assumption, range 1-3"),
    real!("days.loneliness", 1.5, -20.0, 20.0, "log-odds per unit", "Loneliness keeps agents home.", "assumption (withdrawal spiral)"),
    real!("days.screen", 0.25, -20.0, 20.0, "log-odds per hour/day", "Screen time displaces going out.", "Kraut et al. 1998 (direction)"),
    real!("days.substance", 0.8, -20.0, 20.0, "log-odds", "Active substance use keeps agents home.", "Yong & Nomura 2019 (direction: OR 1.93 for addictive behaviours is cross-sectional, not a weekly effect, docs/MODEL.md §7.16); size assumption, range 0.3-1.5"),
    real!("days.male", 0.25, -20.0, 20.0, "log-odds", "Extra pull toward home for males.", "calibrated: 65-77% of cases male (Yong & Nomura 2019; Cabinet Office); 76% at 20,000 agents (v2)"),
    real!("days.young_adult", -0.2, -20.0, 20.0, "log-odds", "Extra pull toward home at ages 18-29 (transition out of school), beyond what role loss produces.", "calibrated: with days.base, to Japan 15-39 (1.57%) and 40-64 (1.45%) together, which the Cabinet Office surveys find nearly equal; v2 role loss and long episodes already give young adults more risk, so the fit is slightly negative (v1 imposed +0.8; -0.3 before the 60-year burn-in, where middle age had not yet filled with long cases); prior range -0.5 to 0.8"),
    real!("days.noise", 0.9, 0.0, 20.0, "log-odds scale", "Scale of weekly logistic noise in the propensity.", "calibrated: people isolated under 26 weeks : hikikomori in 1-2 (Wong et al. 2015, Hong Kong: 2.5% : 1.9%); more weekly noise means more short spells of isolation that end (1.50 at 0.9 after the 60-year burn-in, 0.90 at 0.8); range 0.5-1"),
    // Contact.
    real!("contact.half", 2.0, 0.01, 100.0, "tie-strength weeks", "Joint in-person contact at which contact quality reaches 63%.", "assumption"),
    real!("contact.family", 0.5, 0.0, P, "share", "Weight of household contact relative to a friend met every day.", "Cacioppo et al. 2009: friends matter more than family"),
    real!("contact.online_relief", 0.15, 0.0, P, "share", "How much online contact counts against loneliness relative to in-person contact.", "Kraut et al. 2002 (weak, uneven effects)"),
    // Bullying.
    real!("bullying.traditional", 0.0032, 0.0, P, "probability per bully tie per week", "Weekly chance a bully peer victimises a youth in person (times days at school / 5).", "calibrated: 24.3% victimised per year (meta-analysis 2024, PMC11424704), after the 60-year burn-in (0.0027 gave 21.3% there, 22.3% after 20 years)"),
    real!("bullying.cyber", 0.00035, 0.0, P, "probability per bully tie per week", "Weekly chance a bully tie (peer or online) victimises a youth online, times screen / reference.", "calibrated: 11.1% cyber victims per year, a third overlap (PMC11424704), after the 60-year burn-in (0.0003 gave 8.9% there)"),
    real!("bullying.school_contacts", 10.0, 0.0, 1000.0, "youth", "Schoolmates a youth meets in a week without a tie; times the school's bully share gives bullies met.", "assumption"),
    real!("bullying.cyber_follow", 8.0, 0.0, 100.0, "extra risk multiple", "Cyber risk is (1 + this) times higher for youth bullied in person in the past year.", "calibrated: about a third of traditional victims are also cyber victims (PMC11424704)"),
    real!("bullying.shyness", 1.5, 0.0, 20.0, "multiplier per unit", "Targeting of shy youth: risk x (1 + this x shyness).", "assumption (shy, weakly tied youth targeted)"),
    real!("bullying.weak_ties", 1.0, 0.0, 20.0, "multiplier", "Targeting of weakly tied youth: risk x (1 + this x (1 - contact)).", "assumption"),
    real!("bullying.shock", 0.3, 0.0, P, "rejection units", "Rejection added by one victimisation.", "assumption"),
    real!("bullying.damage", 0.5, 0.0, P, "factor", "Bully-victim tie strength is multiplied by (1 - this).", "assumption"),
    real!("bullying.screen_reference", 4.0, 0.1, 24.0, "hours/day", "Screen time at which cyber risk equals the base rate.", "assumption"),
    // Loneliness.
    real!("loneliness.base", -2.6, -20.0, 20.0, "log-odds", "Intercept of the loneliness target.", "assumption, range -3.2 to -2.2 (the lonely share is fitted by loneliness.threshold; moving the intercept instead also moves prevalence about 2.5-fold per 0.6)"),
    real!("loneliness.deficit", 2.0, -20.0, 20.0, "log-odds per unit", "Lack of good in-person contact raises loneliness.", "Cacioppo et al. 2009 (each friend: 2-2.5 fewer lonely days)"),
    real!("loneliness.rejection", 2.0, -20.0, 20.0, "log-odds per unit", "Recent rejection raises loneliness.", "assumption"),
    real!("loneliness.spread", 0.3, 0.0, 0.99, "share", "Weight of contacts' mean loneliness (household ties half) in one's loneliness target.", "assumption, range 0.2-0.4; held at 0.3 in the v2 fit of the Cacioppo et al. 2009 profile, which is carried mainly by population.neighbourhood_lonely_sd (at 0.5 the pull to the mean leaves under 1% lonely)"),
    real!("loneliness.family_weight", 0.25, 0.0, P, "share", "Weight of a household tie relative to a friend tie in contacts' mean loneliness.", "Cacioppo et al. 2009: spreads more through friends than family (size assumption)"),
    real!("loneliness.shyness", 2.5, -20.0, 20.0, "log-odds per unit", "Shyness raises loneliness.", "assumption"),
    real!("loneliness.rate", 0.15, 0.0, P, "per week", "Share of the gap to the target closed each week.", "assumption"),
    real!("loneliness.noise", 1.5, 0.0, 20.0, "log-odds scale", "Scale of weekly logistic noise in the target.", "assumption"),
    real!("loneliness.threshold", 0.425, 0.0, P, "0-1 scale", "Loneliness above this counts as lonely (and lonely agents shed ties).", "calibrated: 4-7% of adults 18-64 lonely (ONS 2018: 5% often or always lonely); the cut-point maps the latent 0-1 scale onto the survey answer"),
    real!("loneliness.anxious_sensitivity", 1.6, 0.0, 20.0, "multiplier", "Rejection shocks are multiplied by this for anxious attachment.", "Krieg & Dickie 2013 (direction)"),
    real!("loneliness.rejection_decay", 0.1, 0.0, P, "per week", "Share of rejection that fades each week.", "assumption"),
    // Screen time.
    real!("screen.youth", 3.5, 0.0, 24.0, "hours/day", "Baseline leisure screen time, ages 12-17.", "assumption (survey ranges 3-5 h)"),
    real!("screen.young_adult", 3.5, 0.0, 24.0, "hours/day", "Baseline leisure screen time, ages 18-29.", "assumption"),
    real!("screen.adult", 2.5, 0.0, 24.0, "hours/day", "Baseline leisure screen time, ages 30-64.", "assumption"),
    real!("screen.loneliness", 3.0, 0.0, 24.0, "hours/day per unit", "Soothing: loneliness raises screen time.", "Kraut et al. 1998 (direction)"),
    real!("screen.rejection", 2.0, 0.0, 24.0, "hours/day per unit", "Soothing: rejection raises screen time.", "assumption"),
    real!("screen.anxious", 1.0, 0.0, 24.0, "hours/day", "Anxious attachment raises screen time.", "Zhang et al. 2022: r = 0.395 phone addiction vs attachment anxiety"),
    real!("screen.parent_phone", 1.5, 0.0, 24.0, "hours/day per unit", "Youth copy parents' phone use.", "assumption"),
    real!("screen.mediation", 1.5, 0.0, 24.0, "hours/day", "Parental mediation lowers youth screen time.", "Ren & Zhu 2022 (direction)"),
    real!("screen.rate", 0.1, 0.0, P, "per week", "Share of the gap to the target closed each week.", "assumption"),
    // Substance use.
    real!("substance.craving_base", 0.05, 0.0, P, "0-1 scale", "Baseline craving.", "assumption"),
    real!("substance.loneliness", 0.4, 0.0, P, "per unit", "Loneliness raises craving.", "Muris et al. 2023 (craving and hikikomori symptoms)"),
    real!("substance.isolation", 0.3, 0.0, P, "per unit", "Staying home raises craving (1 - days out / 7).", "Muris et al. 2023; Yong & Nomura 2019"),
    real!("substance.recovery_ties", 0.4, 0.0, P, "per unit", "Ties to people in recovery lower craving (share of in-person ties).", "Kelly et al. 2020 (recovery capital)"),
    real!("substance.rate", 0.1, 0.0, P, "per week", "Share of the gap to the target closed each week.", "assumption"),
    real!("substance.onset", 0.004, 0.0, P, "probability per week", "Onset hazard at craving 1 (scales with craving squared), ages 15+.", "calibrated: about 5-8% in active use"),
    real!("substance.quit", 0.02, 0.0, P, "probability per week", "Chance an active user enters recovery, times (1 - craving).", "assumption"),
    real!("substance.relapse", 0.015, 0.0, P, "probability per week", "Chance a person in recovery relapses, times craving x 2.", "assumption"),
    real!("substance.remission", 0.004, 0.0, P, "probability per week", "Chance a person in recovery leaves the recovery state for good (sustained remission; back to not using), times (1 - craving).", "Dennis, Foss & Scott 2007: relapse risk falls to about 15% after 5 years of abstinence (mean time to stable remission about 5 years); size assumption, range 0.002-0.01"),
    real!("substance.mutual_aid_rr", 1.21, 1.0, 10.0, "risk ratio", "Weekly chance of quitting is this many times likelier with an in-person tie to someone in recovery.", "assumption, prior 1.0-2.0: the Cochrane RR 1.21 (1.03-1.42; Kelly, Humphreys & Ferri 2020) compares 12-month continuous abstinence under AA/TSF with CBT; it is not a weekly hazard ratio for a tie and is used only as an order of magnitude"),
    // Withdrawal states.
    real!("states.smoothing", 0.25, 0.01, P, "per week", "Weight of this week in the running mean of days out (4-week memory).", "assumption"),
    real!("states.severe_below", 0.5, 0.0, 7.0, "days/week", "Running mean of days out below which isolation counts as severe (rarely leaves the room).", "Kato, Kanba & Teo 2019 severity grades"),
    // Switches.
    switch!("mechanisms.bullying", "Bullying and cyberbullying of youth."),
    switch!("mechanisms.attachment", "Insecure attachment from parenting, shyness and parents' phone use (off: everyone secure)."),
    switch!("mechanisms.loneliness", "Loneliness dynamics (off: loneliness stays at zero)."),
    switch!("mechanisms.loneliness_spread", "Spread of loneliness along ties."),
    switch!("mechanisms.screen_time", "Screen time as soothing and displacement (off: no screen effects)."),
    switch!("mechanisms.substance_use", "Substance use, recovery and relapse."),
    switch!("mechanisms.tie_dynamics", "Tie growth, decay, dropping, shedding and formation (off: a static network)."),
    switch!("mechanisms.aging", "Ageing and replacement of agents past 64."),
];

/// Typed view of the table, read once when a model is built.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct WParams {
    /// An observed network replacing one tie layer (`graph.kind = "edge_list"`).
    pub observed: Option<std::sync::Arc<crate::graph::build::Observed>>,
    pub burn_in: u32,
    pub network_every: u32,
    pub clustering_every: u32,
    pub report_age: (u8, u8),
    pub n: usize,
    pub groups: u32,
    pub neighbourhood_size: usize,
    pub segregation: f64,
    pub neighbourhood_lonely_sd: f64,
    pub household_max: usize,
    pub male_share: f64,
    pub supportive_share: f64,
    pub rejecting_share: f64,
    pub parent_phone_mean: f64,
    pub mediation_supportive: f64,
    pub role_young_adult: f64,
    pub role_adult: f64,
    pub work_size: usize,
    pub bully_share: f64,
    pub att: [f64; 8],
    pub ties_school: usize,
    pub ties_work: usize,
    pub ties_community: usize,
    pub ties_online: usize,
    pub family_weight: f32,
    pub initial_weight: f32,
    pub grow: f32,
    pub decay: f32,
    pub drop_below: f32,
    pub shed: f64,
    pub closure: f64,
    pub closure_cross: f64,
    pub mixing: f64,
    pub mixing_cross: f64,
    pub new_weight: f32,
    pub slack: usize,
    pub days: DaysParams,
    pub contact_half: f64,
    pub contact_family: f64,
    pub online_relief: f64,
    pub bully_trad: f64,
    pub bully_cyber: f64,
    pub bully_shyness: f64,
    pub school_contacts: f64,
    pub cyber_follow: f64,
    pub bully_weak: f64,
    pub bully_shock: f64,
    pub bully_damage: f32,
    pub screen_reference: f64,
    pub lonely: LonelyParams,
    pub screen: ScreenParams,
    pub substance: SubstanceParams,
    pub smoothing: f64,
    pub screen_trend: f64,
    pub shock_start: i64,
    pub shock_weeks: i64,
    pub shock_days_out: f64,
    pub severe_below: f64,
    pub on: Switches,
    /// Role dynamics ([`super::roles`]).
    pub roles: super::roles::RoleParams,
    /// The victimisation scar and avoidant attachment ([`super::susceptibility`]).
    pub susceptibility: super::susceptibility::SusceptibilityParams,
    /// Weeks out that end an episode ([`super::episodes`]).
    pub episode_exit_weeks: u8,
    /// Reference craving of the starting population ([`super::initial`]).
    pub initial_craving: f64,
    /// Weekly chance an online tie turns in-person ([`super::offline`]; 0 when off).
    pub online_to_offline: f64,
}

/// Propensity to leave home (log-odds weights).
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct DaysParams {
    pub base: f64,
    pub role: f64,
    pub pull: f64,
    pub invite: f64,
    pub shyness: f64,
    pub anxious: f64,
    pub rejection: f64,
    pub loneliness: f64,
    pub screen: f64,
    pub substance: f64,
    pub male: f64,
    pub young_adult: f64,
    pub noise: f64,
}

/// Loneliness target weights.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct LonelyParams {
    pub base: f64,
    pub deficit: f64,
    pub rejection: f64,
    pub spread: f64,
    pub family_weight: f64,
    pub shyness: f64,
    pub rate: f64,
    pub noise: f64,
    pub threshold: f64,
    pub anxious_sensitivity: f64,
    pub rejection_decay: f64,
}

/// Screen-time target weights (hours per day).
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct ScreenParams {
    pub base: [f64; 3],
    pub loneliness: f64,
    pub rejection: f64,
    pub anxious: f64,
    pub parent_phone: f64,
    pub mediation: f64,
    pub rate: f64,
}

/// Substance-use parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct SubstanceParams {
    pub craving_base: f64,
    pub loneliness: f64,
    pub isolation: f64,
    pub recovery_ties: f64,
    pub rate: f64,
    pub onset: f64,
    pub quit: f64,
    pub relapse: f64,
    pub remission: f64,
    pub mutual_aid_rr: f64,
}

/// Mechanism switches.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(missing_docs)]
pub struct Switches {
    pub bullying: bool,
    pub attachment: bool,
    pub loneliness: bool,
    pub loneliness_spread: bool,
    pub screen_time: bool,
    pub substance_use: bool,
    pub tie_dynamics: bool,
    pub aging: bool,
}

impl WParams {
    /// Reads the table from resolved scenario parameters.
    pub fn from_params(p: &Params) -> WParams {
        let f = |k: &str| p.f64(k);
        let u = |k: &str| p.usize(k);
        WParams {
            observed: p.observed().cloned(),
            burn_in: u("withdrawal.burn_in_ticks") as u32,
            network_every: u("withdrawal.network_every") as u32,
            clustering_every: u("withdrawal.clustering_every") as u32,
            report_age: (
                u("withdrawal.report_age_min") as u8,
                u("withdrawal.report_age_max") as u8,
            ),
            n: u("population.n"),
            groups: u("population.groups") as u32,
            neighbourhood_size: u("population.neighbourhood_size"),
            segregation: f("population.segregation"),
            neighbourhood_lonely_sd: f("population.neighbourhood_lonely_sd"),
            household_max: u("population.household_max"),
            male_share: f("population.male_share"),
            supportive_share: f("population.supportive_share"),
            rejecting_share: f("population.rejecting_share"),
            parent_phone_mean: f("population.parent_phone_mean"),
            mediation_supportive: f("population.mediation_supportive"),
            role_young_adult: f("population.role_young_adult"),
            role_adult: f("population.role_adult"),
            work_size: u("population.work_size"),
            bully_share: f("population.bully_share"),
            att: [
                f("attachment.anxious_base"),
                f("attachment.anxious_rejecting"),
                f("attachment.anxious_overprotective"),
                f("attachment.anxious_shyness"),
                f("attachment.anxious_parent_phone"),
                f("attachment.avoidant_base"),
                f("attachment.avoidant_rejecting"),
                f("attachment.avoidant_parent_phone"),
            ],
            ties_school: u("ties.school"),
            ties_work: u("ties.work"),
            ties_community: u("ties.community"),
            ties_online: u("ties.online"),
            family_weight: f("ties.family_weight") as f32,
            initial_weight: f("ties.initial_weight") as f32,
            grow: f("ties.grow") as f32,
            decay: f("ties.decay") as f32,
            drop_below: f("ties.drop_below") as f32,
            shed: f("ties.shed"),
            closure: f("ties.closure"),
            closure_cross: f("ties.closure_cross"),
            mixing: f("ties.mixing"),
            mixing_cross: f("ties.mixing_cross"),
            new_weight: f("ties.new_weight") as f32,
            slack: u("ties.slack"),
            days: DaysParams {
                base: f("days.base"),
                role: f("days.role"),
                pull: f("days.pull"),
                invite: f("days.invite"),
                shyness: f("days.shyness"),
                anxious: f("days.anxious"),
                rejection: f("days.rejection"),
                loneliness: f("days.loneliness"),
                screen: f("days.screen"),
                substance: f("days.substance"),
                male: f("days.male"),
                young_adult: f("days.young_adult"),
                noise: f("days.noise"),
            },
            contact_half: f("contact.half"),
            contact_family: f("contact.family"),
            online_relief: f("contact.online_relief"),
            bully_trad: f("bullying.traditional"),
            bully_cyber: f("bullying.cyber"),
            bully_shyness: f("bullying.shyness"),
            school_contacts: f("bullying.school_contacts"),
            cyber_follow: f("bullying.cyber_follow"),
            bully_weak: f("bullying.weak_ties"),
            bully_shock: f("bullying.shock"),
            bully_damage: f("bullying.damage") as f32,
            screen_reference: f("bullying.screen_reference"),
            lonely: LonelyParams {
                base: f("loneliness.base"),
                deficit: f("loneliness.deficit"),
                rejection: f("loneliness.rejection"),
                spread: f("loneliness.spread"),
                family_weight: f("loneliness.family_weight"),
                shyness: f("loneliness.shyness"),
                rate: f("loneliness.rate"),
                noise: f("loneliness.noise"),
                threshold: f("loneliness.threshold"),
                anxious_sensitivity: f("loneliness.anxious_sensitivity"),
                rejection_decay: f("loneliness.rejection_decay"),
            },
            screen: ScreenParams {
                base: [
                    f("screen.youth"),
                    f("screen.young_adult"),
                    f("screen.adult"),
                ],
                loneliness: f("screen.loneliness"),
                rejection: f("screen.rejection"),
                anxious: f("screen.anxious"),
                parent_phone: f("screen.parent_phone"),
                mediation: f("screen.mediation"),
                rate: f("screen.rate"),
            },
            substance: SubstanceParams {
                craving_base: f("substance.craving_base"),
                loneliness: f("substance.loneliness"),
                isolation: f("substance.isolation"),
                recovery_ties: f("substance.recovery_ties"),
                rate: f("substance.rate"),
                onset: f("substance.onset"),
                quit: f("substance.quit"),
                relapse: f("substance.relapse"),
                remission: f("substance.remission"),
                mutual_aid_rr: f("substance.mutual_aid_rr"),
            },
            smoothing: f("states.smoothing"),
            screen_trend: f("screen.trend_per_year"),
            shock_start: p.i64("shock.start"),
            shock_weeks: p.i64("shock.weeks"),
            shock_days_out: f("shock.days_out"),
            severe_below: f("states.severe_below"),
            on: Switches {
                bullying: p.bool("mechanisms.bullying"),
                attachment: p.bool("mechanisms.attachment"),
                loneliness: p.bool("mechanisms.loneliness"),
                loneliness_spread: p.bool("mechanisms.loneliness_spread"),
                screen_time: p.bool("mechanisms.screen_time"),
                substance_use: p.bool("mechanisms.substance_use"),
                tie_dynamics: p.bool("mechanisms.tie_dynamics"),
                aging: p.bool("mechanisms.aging"),
            },
            roles: super::roles::RoleParams::from_params(p),
            susceptibility: super::susceptibility::SusceptibilityParams::from_params(p),
            episode_exit_weeks: u("states.episode_exit_weeks").min(255) as u8,
            initial_craving: f("substance.initial_craving"),
            online_to_offline: super::offline::rate(p),
        }
    }
}
