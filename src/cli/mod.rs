//! The command line: clap definitions (doc comments are the help text) and one handler per
//! subcommand. Data goes to stdout, diagnostics and progress to stderr.

mod bench;
mod compare;
mod params;
mod progress;
mod run;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// cocoon: agent-based simulation of social withdrawal (hikikomori) and social capital.
#[derive(Parser, Debug)]
#[command(name = "cocoon", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by commands that load a scenario.
#[derive(clap::Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// Scenario file (TOML).
    pub file: PathBuf,
    /// Override a parameter, e.g. `--set population.n=5000` (repeatable; validated like the file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario and write its results.
    Run {
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// Worker threads (default: all cores). Results are identical for any value.
        #[arg(long)]
        threads: Option<usize>,
        /// Output folder (default: output/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run the arms of a comparison file on one base scenario and report what each changes.
    Compare {
        /// Comparison file (TOML): question, base scenario, arms.
        file: PathBuf,
        /// Output folder (default: output/<comparison file name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: all cores). Results are identical for any value.
        #[arg(long)]
        threads: Option<usize>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
        /// Override a parameter in every arm, e.g. `--set population.n=5000` (repeatable;
        /// applied after the file's own settings).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Give arm k its own seed (seed + 1000003 k) instead of common random numbers.
        #[arg(long)]
        independent: bool,
    },
    /// Validate a scenario without running it.
    Check {
        #[command(flatten)]
        scenario: ScenarioArgs,
    },
    /// List every parameter: default, range, unit, meaning and source.
    Params {
        /// Only keys starting with this prefix (e.g. `sisa.` or `graph.`).
        prefix: Option<String>,
        /// Print a Markdown table instead of plain text.
        #[arg(long)]
        markdown: bool,
    },
    /// Time a model: setup, stepping, agent-updates and tie-visits per second, peak memory.
    Bench {
        /// Which model to time.
        #[arg(long, value_enum, default_value = "sisa")]
        model: bench::BenchModel,
        /// Number of agents (default: 300000 for sisa, 100000 for withdrawal, 1000000 for graph).
        #[arg(long)]
        agents: Option<usize>,
        /// Ticks to step (default: 100 for sisa, 52 for withdrawal).
        #[arg(long)]
        ticks: Option<u32>,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Generator for `--model graph`: erdos_renyi, watts_strogatz or barabasi_albert.
        #[arg(long, default_value = "erdos_renyi")]
        graph: String,
        /// Print one JSON object (one line) instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            threads,
            out,
            quiet,
        } => run::run(&scenario, threads, out, quiet),
        Command::Compare {
            file,
            out,
            threads,
            quiet,
            sets,
            independent,
        } => compare::compare(&file, out, threads, quiet, &sets, independent),
        Command::Check { scenario } => run::check(&scenario),
        Command::Params { prefix, markdown } => params::list(prefix.as_deref(), markdown),
        Command::Bench {
            model,
            agents,
            ticks,
            threads,
            graph,
            json,
        } => bench::bench(model, agents, ticks, threads, &graph, json),
    }
}

/// Builds a rayon pool of `threads` threads (default: all cores).
pub fn pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let n = match threads {
        Some(0) => {
            return Err(cocoon::error::Error::Usage("--threads must be at least 1".into()).into())
        }
        Some(n) => n,
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    };
    Ok(rayon::ThreadPoolBuilder::new().num_threads(n).build()?)
}
