//! Unit results as bytes that decode to exactly what was encoded.
//!
//! JSON is used for readability of shard files, but every floating-point number is stored as
//! its IEEE-754 bit pattern (a `u64`), so no decimal round trip can change a last digit and the
//! merged outputs stay byte-identical. The same encoding travels in MPI messages.

use serde::{Deserialize, Serialize};

use crate::compare::units::{Unit, UnitResult};
use crate::engine::{Distribution, Row, Series};
use crate::error::{Error, Result};

/// A [`UnitResult`] as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WireUnit {
    /// Burn-in group index.
    pub group: usize,
    /// Replicate index.
    pub replicate: u32,
    /// One series per member arm.
    pub series: Vec<WireSeries>,
}

/// A [`Series`] as stored; rows are `[tick, metric, value bits]`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WireSeries {
    replicate: u32,
    metrics: Vec<String>,
    rows: Vec<(u32, u16, u64)>,
    distributions: Vec<WireDistribution>,
}

/// A [`Distribution`] as stored; bins are bit patterns.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WireDistribution {
    name: String,
    bins: Vec<u64>,
    counts: Vec<u64>,
}

impl From<&Series> for WireSeries {
    fn from(s: &Series) -> WireSeries {
        WireSeries {
            replicate: s.replicate,
            metrics: s.metrics.clone(),
            rows: s
                .rows
                .iter()
                .map(|r| (r.tick, r.metric, r.value.to_bits()))
                .collect(),
            distributions: s
                .distributions
                .iter()
                .map(|d| WireDistribution {
                    name: d.name.clone(),
                    bins: d.bins.iter().map(|b| b.to_bits()).collect(),
                    counts: d.counts.clone(),
                })
                .collect(),
        }
    }
}

impl From<WireSeries> for Series {
    fn from(s: WireSeries) -> Series {
        Series {
            replicate: s.replicate,
            metrics: s.metrics,
            rows: s
                .rows
                .into_iter()
                .map(|(tick, metric, bits)| Row {
                    tick,
                    metric,
                    value: f64::from_bits(bits),
                })
                .collect(),
            distributions: s
                .distributions
                .into_iter()
                .map(|d| Distribution {
                    name: d.name,
                    bins: d.bins.into_iter().map(f64::from_bits).collect(),
                    counts: d.counts,
                })
                .collect(),
        }
    }
}

impl From<&UnitResult> for WireUnit {
    fn from(r: &UnitResult) -> WireUnit {
        WireUnit {
            group: r.unit.group,
            replicate: r.unit.replicate,
            series: r.series.iter().map(WireSeries::from).collect(),
        }
    }
}

impl From<WireUnit> for UnitResult {
    fn from(w: WireUnit) -> UnitResult {
        UnitResult {
            unit: Unit {
                group: w.group,
                replicate: w.replicate,
            },
            series: w.series.into_iter().map(Series::from).collect(),
        }
    }
}

/// One unit result as bytes (for an MPI message).
pub fn encode(result: &UnitResult) -> Vec<u8> {
    serde_json::to_vec(&WireUnit::from(result)).expect("unit results serialize")
}

/// The unit result in `bytes`; `from` names the sender in the error.
pub fn decode(bytes: &[u8], from: &str) -> Result<UnitResult> {
    serde_json::from_slice::<WireUnit>(bytes)
        .map(UnitResult::from)
        .map_err(|e| Error::Model(format!("unreadable unit result from {from}: {e}")))
}

/// Series as bytes (a study's work unit result, for an MPI message).
pub fn encode_series(series: &[Series]) -> Vec<u8> {
    let wire: Vec<WireSeries> = series.iter().map(WireSeries::from).collect();
    serde_json::to_vec(&wire).expect("series serialize")
}

/// The series in `bytes`; `from` names the sender in the error.
pub fn decode_series(bytes: &[u8], from: &str) -> Result<Vec<Series>> {
    serde_json::from_slice::<Vec<WireSeries>>(bytes)
        .map(|v| v.into_iter().map(Series::from).collect())
        .map_err(|e| Error::Model(format!("unreadable result from {from}: {e}")))
}

/// A comparison's work unit as bytes (group and replicate, little-endian).
pub fn encode_unit(unit: Unit) -> Vec<u8> {
    let mut bytes = (unit.group as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(&u64::from(unit.replicate).to_le_bytes());
    bytes
}

/// The comparison work unit in `bytes`.
pub fn decode_unit(bytes: &[u8]) -> Result<Unit> {
    let word = |i: usize| -> Option<u64> {
        Some(u64::from_le_bytes(
            bytes.get(8 * i..8 * i + 8)?.try_into().ok()?,
        ))
    };
    match (bytes.len(), word(0), word(1)) {
        (16, Some(group), Some(replicate)) => Ok(Unit {
            group: group as usize,
            replicate: replicate as u32,
        }),
        _ => Err(Error::Model(format!(
            "a work unit of {} bytes is not a comparison's (16 bytes)",
            bytes.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bit_of_every_value_survives_the_round_trip() {
        let values = [
            0.1 + 0.2,
            f64::MIN_POSITIVE / 3.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            1e308,
            std::f64::consts::PI,
        ];
        let series = Series {
            replicate: 4,
            metrics: vec!["a".into(), "b".into()],
            rows: values
                .iter()
                .enumerate()
                .map(|(i, &v)| Row {
                    tick: i as u32,
                    metric: (i % 2) as u16,
                    value: v,
                })
                .collect(),
            distributions: vec![Distribution {
                name: "d".into(),
                bins: vec![0.5, 1.0 / 3.0],
                counts: vec![1, u64::MAX],
            }],
        };
        let result = UnitResult {
            unit: Unit {
                group: 2,
                replicate: 4,
            },
            series: vec![series],
        };
        let back = decode(&encode(&result), "test").unwrap();
        assert_eq!(back.unit, result.unit);
        let bits = |r: &UnitResult| -> Vec<u64> {
            r.series[0].rows.iter().map(|r| r.value.to_bits()).collect()
        };
        assert_eq!(bits(&back), bits(&result));
        assert_eq!(back.series[0].distributions, result.series[0].distributions);
        assert_eq!(back.series[0].metrics, result.series[0].metrics);
        let again = decode_series(&encode_series(&result.series), "test").unwrap();
        assert_eq!(
            again[0]
                .rows
                .iter()
                .map(|r| r.value.to_bits())
                .collect::<Vec<_>>(),
            bits(&result)
        );
        let unit = Unit {
            group: 3,
            replicate: 17,
        };
        assert_eq!(decode_unit(&encode_unit(unit)).unwrap(), unit);
        assert!(decode_unit(&[1, 2, 3]).is_err());
        let e = decode(b"{", "rank 2").unwrap_err().to_string();
        assert!(e.contains("from rank 2"), "{e}");
    }
}
