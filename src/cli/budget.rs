//! A warning when `--set population.n=...` changes the money per head of a scenario whose
//! policy budget is an absolute amount (`policy.budget` or `policy.schedule_budget`): the same
//! budget spread over more or fewer people is a different policy, and nothing else says so.

use cocoon::scenario::Params;

/// Prints a warning on stderr if `sets` changes `population.n` and `params` (the scenario as
/// run, named `name`) gives an absolute budget.
pub fn warn_absolute_budget(name: &str, params: &Params, sets: &[String]) {
    let changes_n = sets
        .iter()
        .any(|s| s.split('=').next().map(str::trim) == Some("population.n"));
    if !changes_n || !params.applies("policy.budget") || !cocoon::policy::absolute_budget(params) {
        return;
    }
    let n = params.f64("population.n").max(1.0);
    let budget = params.f64("policy.budget");
    eprintln!(
        "warning: {name}: the policy budget is an absolute amount (policy.budget = {budget}{}), \
         so --set population.n={n} changes the money per head to {:.2} a year; use \
         policy.budget_per_person to keep the money per head when population.n changes",
        if params.get("policy.schedule_budget").is_some() {
            ", with policy.schedule_budget"
        } else {
            ""
        },
        budget / n
    );
}
