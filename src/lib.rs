//! cocoon: an agent-based simulation of social withdrawal and social capital.
#![warn(missing_docs)]

pub mod graph;
