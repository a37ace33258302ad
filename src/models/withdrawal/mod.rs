//! The withdrawal model (in progress).

use crate::error::Result;
use crate::scenario::{ParamSpec, Params};

/// The withdrawal model's parameters.
pub fn all_specs() -> Vec<&'static ParamSpec> {
    Vec::new()
}

/// Cross-parameter checks.
pub fn validate(_params: &Params) -> Result<()> {
    Ok(())
}

/// Runs a withdrawal scenario.
pub fn execute(
    _scenario: &crate::scenario::Scenario,
    _exec: crate::engine::Exec,
    _progress: &(dyn Fn() + Sync),
) -> Result<crate::run::RunResult> {
    Err(crate::error::Error::Model("the withdrawal model is not built yet".into()))
}
