//! The command line: clap definitions (doc comments are the help text) and one handler per
//! subcommand. Data goes to stdout, diagnostics and progress to stderr.

mod animate;
mod bench;
mod budget;
mod calibrate;
mod compare;
mod merge;
#[cfg(feature = "mpi")]
mod mpi;
mod params;
mod progress;
mod resume;
mod run;
mod sensitivity;
mod serve;
mod sweep;

use std::path::PathBuf;

use anyhow::Context as _;
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
    /// Override the scenario's seed (0 to 2^63 - 1).
    #[arg(long, value_parser = clap::value_parser!(u64).range(0..=i64::MAX as u64))]
    pub seed: Option<u64>,
    /// Refuse to start if the estimated memory exceeds this (bytes, or e.g. 512M, 4G;
    /// default: 75% of the machine's available memory).
    #[arg(long, value_name = "SIZE", value_parser = cocoon::resources::parse_size)]
    pub max_memory: Option<u64>,
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
        /// Output folder (default: output/<scenario name>/). It must not exist unless
        /// `--force` is given.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing output folder whole (its old files never mix with the new ones).
        #[arg(long)]
        force: bool,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
        /// Save the full model state every WEEKS simulated weeks (burn-in included), so
        /// `cocoon resume OUT` can continue the run if it is killed (withdrawal model).
        #[arg(long, value_name = "WEEKS", value_parser = clap::value_parser!(u32).range(1..))]
        checkpoint_every: Option<u32>,
        /// Keep each replicate's burnt-in state (tick 0) in this folder and load it instead of
        /// burning in again whenever a later run or comparison has the same burn-in (same seed,
        /// build and every key the burn-in reads). Results are byte-identical with or without
        /// it; about 35 MB per replicate at 100,000 agents (withdrawal model).
        #[arg(long, value_name = "DIR")]
        burn_in_cache: Option<PathBuf>,
    },
    /// Continue a run or comparison started with `--checkpoint-every` that was killed: the
    /// outputs are byte-identical to an uninterrupted run's.
    Resume {
        /// The output folder of the interrupted run (its `--out`).
        dir: PathBuf,
        /// Worker threads (default: all cores). Results are identical for any value.
        #[arg(long)]
        threads: Option<usize>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run the arms of a comparison file on one base scenario and report what each changes.
    Compare {
        /// Comparison file (TOML): question, base scenario, arms.
        file: PathBuf,
        /// Output folder (default: output/<comparison file name>/). It must not exist unless
        /// `--force` is given.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing output folder whole (its old files never mix with the new ones).
        #[arg(long)]
        force: bool,
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
        /// Refuse to start if the estimated memory exceeds this (bytes, or e.g. 512M, 4G;
        /// default: 75% of the machine's available memory).
        #[arg(long, value_name = "SIZE", value_parser = cocoon::resources::parse_size)]
        max_memory: Option<u64>,
        /// Compute only shard K of N (e.g. `2/8`, counting from 1) of the work units and write
        /// them as a partial result for `cocoon merge` (for cluster job arrays).
        #[arg(long, value_name = "K/N")]
        shard: Option<cocoon::distributed::shard::ShardSpec>,
        /// Propagate parameter uncertainty: replicate r of every arm runs with the r-th draw
        /// (by weight) from this posterior (`cocoon calibrate`'s posterior.csv), so arms stay
        /// paired and effects carry parameter and chance uncertainty.
        #[arg(long, value_name = "POSTERIOR.CSV")]
        posterior: Option<PathBuf>,
        /// Save the full state of every running unit every WEEKS simulated weeks (burn-in
        /// included), so `cocoon resume OUT` can continue the comparison if it is killed.
        #[arg(long, value_name = "WEEKS", value_parser = clap::value_parser!(u32).range(1..))]
        checkpoint_every: Option<u32>,
        /// Keep each replicate's burnt-in state (tick 0) in this folder and load it instead of
        /// burning in again whenever a later run or comparison has the same burn-in (same seed,
        /// build and every key the burn-in reads). Results are byte-identical with or without
        /// it; about 35 MB per replicate at 100,000 agents (withdrawal model).
        #[arg(long, value_name = "DIR")]
        burn_in_cache: Option<PathBuf>,
    },
    /// Merge the folders of `compare --shard K/N` (or `sweep --shard K/N`) runs into the final
    /// outputs, byte-identical to a single run (except the manifest's run section).
    Merge {
        /// Shard folders, one per shard 1..N, in any order.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
        /// Output folder (default: output/<comparison file name>/, as `compare` would use).
        /// It must not exist unless `--force` is given.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing output folder whole.
        #[arg(long)]
        force: bool,
        /// No summary line.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run a study's design (grid, Latin hypercube or scrambled Sobol) and write sweep.csv.
    Sweep {
        #[command(flatten)]
        study: sweep::StudyArgs,
        /// Run only shard K of N (e.g. `2/8`, counting from 1) of the design points and write
        /// their values for `cocoon merge` (for cluster job arrays).
        #[arg(long, value_name = "K/N")]
        shard: Option<cocoon::distributed::shard::ShardSpec>,
    },
    /// Which parameters move each outcome: Morris screening or Sobol indices.
    Sensitivity {
        #[command(flatten)]
        study: sweep::StudyArgs,
        /// Estimator (and design): Morris trajectories or Saltelli's Sobol matrices.
        #[arg(long, value_enum)]
        method: sensitivity::MethodArg,
    },
    /// Fit a study's parameters to its targets by ABC-SMC; writes posterior.csv.
    Calibrate {
        #[command(flatten)]
        study: sweep::StudyArgs,
        /// Evaluate only shard K of N (e.g. `2/8`) of the candidates the calibration needs
        /// next, saving them beside the output; run all N shards until one reports the
        /// calibration complete, then once without --shard to write the outputs (a job array
        /// per step; see docs/CLUSTER.md).
        #[arg(long, value_name = "K/N")]
        shard: Option<cocoon::distributed::shard::ShardSpec>,
    },
    /// Validate a scenario without running it: the scenario file and every file it extends,
    /// the edge list and node table it imports, the output folder `run` would write (name,
    /// parent) and the memory the run would need.
    Check {
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// The output folder `run` would use (default: output/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List every parameter: default, range, unit, meaning and source.
    Params {
        /// Only keys starting with this prefix (e.g. `sisa.` or `graph.`).
        prefix: Option<String>,
        /// Print a Markdown table instead of plain text.
        #[arg(long)]
        markdown: bool,
    },
    /// Draw a scenario's network (a sample of 300 agents, coloured by state) as a GIF, one
    /// frame every few weeks, for slides.
    Animate {
        #[command(flatten)]
        scenario: ScenarioArgs,
        /// The GIF to write.
        #[arg(long, default_value = "network.gif")]
        out: PathBuf,
        /// Weeks between frames.
        #[arg(long, default_value_t = 4)]
        every: u32,
        /// How long each frame shows, in milliseconds.
        #[arg(long, default_value_t = 250)]
        frame_ms: u32,
        /// No summary line.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Start the workshop page: a local web server with stories, sliders, live charts, a
    /// network view and twin worlds (with and without a policy).
    Serve {
        /// Port (0 picks a free one).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to listen on (default 127.0.0.1, this computer only). `0.0.0.0` opens the
        /// page to the room's network.
        #[arg(long)]
        host: Option<String>,
        /// Open the page in a browser.
        #[arg(long)]
        open: bool,
        /// Most sessions (browser tabs) at once.
        #[arg(long, default_value_t = 16)]
        max_sessions: usize,
        /// Most agents per session.
        #[arg(long, default_value_t = 5000)]
        max_agents: usize,
    },
    /// Time a model: setup, an untimed burn-in, then warm-up and repeated timed runs; prints
    /// the median, minimum and spread of stepping time, agent-updates and tie-visits per
    /// second, per-phase seconds, peak memory, and the build and machine they ran on.
    Bench {
        /// Which model to time (default: the withdrawal model, timed after its burn-in).
        #[arg(long, value_enum, default_value = "withdrawal")]
        model: bench::BenchModel,
        /// Number of agents (default: 100000 for withdrawal, 300000 for sisa, 1000000 for
        /// graph).
        #[arg(long)]
        agents: Option<usize>,
        /// Ticks timed per run (default: 52 for withdrawal, 100 for sisa).
        #[arg(long)]
        ticks: Option<u32>,
        /// Ticks stepped once, untimed, before the timed runs (default: the scenario's
        /// burn-in, 260 weeks, for withdrawal, so timed weeks see a real run's network
        /// density; 50 for sisa, its steady prevalence).
        #[arg(long, value_name = "TICKS")]
        burn_in: Option<u32>,
        /// Runs stepped and discarded before the kept ones.
        #[arg(long, default_value_t = 1)]
        warmup: u32,
        /// Runs kept; the report gives their median, minimum, maximum and spread.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
        repeat: u32,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Generator for `--model graph`: erdos_renyi, watts_strogatz or barabasi_albert.
        #[arg(long, default_value = "erdos_renyi")]
        graph: String,
        /// Print one JSON record (one line, schema 2) instead of a table.
        #[arg(long)]
        json: bool,
        /// Refuse to start if the estimated memory exceeds this (bytes, or e.g. 512M, 4G;
        /// default: 75% of the machine's available memory).
        #[arg(long, value_name = "SIZE", value_parser = cocoon::resources::parse_size)]
        max_memory: Option<u64>,
    },
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            threads,
            out,
            force,
            quiet,
            checkpoint_every,
            burn_in_cache,
        } => run::run(
            &scenario,
            threads,
            out,
            force,
            quiet,
            checkpoint_every,
            burn_in_cache,
        ),
        Command::Resume {
            dir,
            threads,
            quiet,
        } => resume::resume(&dir, threads, quiet),
        Command::Compare {
            file,
            out,
            force,
            threads,
            quiet,
            sets,
            independent,
            max_memory,
            shard,
            posterior,
            checkpoint_every,
            burn_in_cache,
        } => compare::compare(
            &file,
            compare::Options {
                out,
                force,
                threads,
                quiet,
                independent,
                max_memory,
                shard,
                posterior,
                checkpoint_every,
                resume: None,
                burn_in_cache,
            },
            &sets,
        ),
        Command::Merge {
            dirs,
            out,
            force,
            quiet,
        } => merge::merge(&dirs, out, force, quiet),
        Command::Sweep { study, shard } => sweep::sweep(&study, shard),
        Command::Sensitivity { study, method } => sensitivity::sensitivity(&study, method),
        Command::Calibrate { study, shard } => calibrate::calibrate(&study, shard),
        Command::Check { scenario, out } => run::check(&scenario, out),
        Command::Params { prefix, markdown } => params::list(prefix.as_deref(), markdown),
        Command::Animate {
            scenario,
            out,
            every,
            frame_ms,
            quiet,
        } => animate::animate(&scenario, out, every, frame_ms, quiet),
        Command::Serve {
            port,
            host,
            open,
            max_sessions,
            max_agents,
        } => serve::serve(host, port, open, max_sessions, max_agents),
        Command::Bench {
            model,
            agents,
            ticks,
            burn_in,
            warmup,
            repeat,
            threads,
            graph,
            json,
            max_memory,
        } => bench::bench(bench::Options {
            model,
            agents,
            ticks,
            burn_in,
            warmup,
            repeat,
            threads,
            graph,
            json,
            max_memory,
        }),
    }
}

/// Most worker threads allowed per core: more only adds switching (10,000 threads took over
/// a minute for a 0.1 s job).
pub const MAX_THREADS_PER_CORE: usize = 4;
/// Threads always allowed, however few cores (so a thread-count check runs anywhere).
pub const MIN_THREAD_CAP: usize = 16;

/// Checks `--threads` (1 to the larger of [`MAX_THREADS_PER_CORE`] x cores and
/// [`MIN_THREAD_CAP`]) and returns the count to use (default: all cores).
pub fn thread_count(threads: Option<usize>) -> anyhow::Result<usize> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let max = (MAX_THREADS_PER_CORE * cores).max(MIN_THREAD_CAP);
    match threads {
        None => Ok(cores),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(cocoon::error::Error::Usage(format!(
            "--threads {n} is out of range: allowed 1 to {max} (at most {MAX_THREADS_PER_CORE} per \
             core, {cores} core(s) here); results are identical for any thread count"
        ))
        .into()),
    }
}

/// Builds a rayon pool of `threads` threads (default: all cores).
pub fn pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let n = thread_count(threads)?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .with_context(|| format!("cannot start {n} worker thread(s)"))
}

/// The command line for the manifest; arguments that are not UTF-8 are shown lossily (the
/// paths themselves are used as given).
pub fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Estimates what running `scenarios` costs and refuses it (exit 2) over the memory limit.
/// One scenario is a run; several are the arms of a comparison.
pub fn check_resources(
    scenarios: &[&cocoon::scenario::Scenario],
    threads: usize,
    max_memory: Option<u64>,
    comparison: bool,
) -> anyhow::Result<cocoon::resources::Estimate> {
    let estimate = if comparison {
        cocoon::resources::comparison(scenarios, threads)
    } else {
        cocoon::resources::scenario(scenarios[0], threads)
    };
    let (limit, source) = cocoon::resources::limit(max_memory);
    cocoon::resources::check(&estimate, limit, &source)?;
    Ok(estimate)
}

/// Reports leftovers of killed runs that opening an output folder removed.
pub fn report_cleared(staging: &cocoon::output::Staging) {
    for p in staging.cleared() {
        crate::print_stderr(&format!(
            "note: removed {}, left by an interrupted run\n",
            p.display()
        ));
    }
    for note in staging.cleared_notes() {
        crate::print_stderr(&format!(
            "note: the interrupted run recorded: {}\n",
            note.trim()
        ));
    }
}
