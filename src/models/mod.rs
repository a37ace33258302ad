//! Models that run on the engine: the SISa reference model and the withdrawal model.

pub mod sisa;
pub mod withdrawal;

use crate::error::Result;
use crate::scenario::Params;

/// Cross-parameter checks a single key's range cannot express.
pub fn validate(params: &Params) -> Result<()> {
    crate::graph::build::validate(params)?;
    if params.str("model") == "withdrawal" {
        withdrawal::validate(params)?;
    }
    Ok(())
}
