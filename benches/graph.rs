//! Criterion bench of graph generation: Erdős–Rényi and Watts–Strogatz graphs of 1,000,000
//! agents with mean degree 20, generated and built into CSR form by [`cocoon::bench::graph`]
//! (the code `cocoon bench --model graph` times). Run with `cargo bench --bench graph`.

use criterion::{criterion_group, criterion_main, Criterion};

fn generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph_generation");
    group.sample_size(10);
    for kind in ["erdos_renyi", "watts_strogatz"] {
        group.bench_function(format!("{kind}_1m_degree20"), |b| {
            b.iter(|| cocoon::bench::graph(kind, 1_000_000).expect("benchmark scenario is valid"))
        });
    }
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
