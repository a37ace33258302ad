//! Criterion benches of one tick: SISa on Watts-Strogatz graphs (k = 10) of 30,000 and
//! 300,000 agents, and the withdrawal model at 100,000 agents after its 260-week burn-in (the
//! network density of a real run's recorded weeks). Populations are built and burnt in once
//! by [`cocoon::bench`], the same code `cocoon bench` uses, outside the timed loop.
//!
//! Run with `cargo bench --bench ticks`; `cargo test` never runs them (`harness = false`, and
//! `cargo test` builds benches only with `--benches`).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use cocoon::engine::{Exec, Model};

fn sisa_tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("sisa_tick");
    for agents in [30_000usize, 300_000] {
        let mut model = cocoon::bench::sisa_model(agents).expect("benchmark scenario is valid");
        // Warm the state up to its steady prevalence so the tick costs what it costs in a run.
        for t in 1..=50 {
            model.step(t, Exec::Parallel);
        }
        let mut tick = 50;
        group.throughput(Throughput::Elements(agents as u64));
        group.bench_function(format!("ws_k10_{agents}"), |b| {
            b.iter(|| {
                tick += 1;
                model.step(tick, Exec::Parallel);
            })
        });
    }
    group.finish();
}

fn withdrawal_tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("withdrawal_tick");
    group.sample_size(10);
    let agents = 100_000usize;
    let burn_in = cocoon::bench::Workload::default_for(cocoon::bench::Kind::Withdrawal)
        .expect("default workload")
        .burn_in;
    let model =
        cocoon::bench::withdrawal_model(agents, burn_in).expect("benchmark scenario is valid");
    group.throughput(Throughput::Elements(agents as u64));
    group.bench_function(format!("defaults_{agents}_after_burn_in"), |b| {
        // Each sample steps a fresh copy of the same burnt-in population, so every iteration
        // times the same first recorded week.
        b.iter_batched_ref(
            || model.clone(),
            |m| m.step(1, Exec::Parallel),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, sisa_tick, withdrawal_tick);
criterion_main!(benches);
