//! Sync engine throughput on a synthetic 60,000-pupil school: plan (match +
//! diff) and rendering the whole package in memory, and apply.

use criterion::{criterion_group, criterion_main, Criterion};
use sidisync::date::Date;
use sidisync::map::CodeMap;
use sidisync::messages::Lang;
use sidisync::model::*;
use sidisync::sync::plan;
use sidisync::validate::Validation;
use sidisync::write::package::{render_package, PackageOptions};
use std::sync::Arc;

fn model(n: usize) -> (SidiExport, LocalExport) {
    let f: Arc<str> = Arc::from("alunni.csv");
    let o = |l| Origin::new(&f, l, 0);
    let classes: Vec<Classe> = (0..n / 20)
        .map(|k| Classe {
            key: ClassKey::new(
                &format!("RMEE{:06}", k / 50),
                &(k % 5 + 1).to_string(),
                &format!("S{}", k % 50),
            ),
            tempo_scuola: "10".into(),
            indirizzo: Default::default(),
            origin: o(k as u32),
        })
        .collect();
    let mut s = SidiExport {
        classes,
        ..SidiExport::default()
    };
    let mut l = LocalExport {
        classes_declared: false,
        ..LocalExport::default()
    };
    for i in 0..n {
        let d = Date::new(
            2010 + (i % 10) as u32,
            1 + (i % 12) as u32,
            1 + (i % 28) as u32,
        );
        let class = s.classes[i % s.classes.len()].key.clone();
        let p = Pupil {
            id_sidi: format!("{}", 4_000_000_000u64 + i as u64).into(),
            codice_fiscale: format!("CF{i:014}").into(),
            stato_cf: "V".into(),
            cognome: format!("COGNOME{i}").into(),
            nome: format!("NOME{}", i % 997).into(),
            sesso: if i % 2 == 0 { "F" } else { "M" }.into(),
            data_nascita_raw: Default::default(),
            data_nascita: d,
            luogo_nascita: "H501".into(),
            cittadinanza: "Z000".into(),
            frequenze: vec![Frequenza {
                class: class.clone(),
                dal_raw: Default::default(),
                dal: Date::new(2025, 9, 15),
                stato: "FREQUENTANTE".into(),
                origin: o(i as u32),
            }],
            origin: o(i as u32),
        };
        // 10 % drift: every tenth pupil has a changed surname and no lock
        if i % 50 != 7 {
            l.pupils.push(LocalPupil {
                id_locale: format!("L{i}").into(),
                id_sidi: if i % 13 == 0 {
                    Default::default()
                } else {
                    p.id_sidi.clone()
                },
                codice_fiscale: p.codice_fiscale.clone(),
                cognome: if i % 10 == 3 {
                    format!("Cognome{i}").into()
                } else {
                    p.cognome.clone()
                },
                nome: p.nome.clone(),
                sesso: p.sesso.clone(),
                data_nascita_raw: Default::default(),
                data_nascita: d,
                luogo_nascita: p.luogo_nascita.clone(),
                cittadinanza: p.cittadinanza.clone(),
                class: if i % 17 == 0 {
                    s.classes[(i + 1) % s.classes.len()].key.clone()
                } else {
                    class
                },
                tempo_scuola: "10".into(),
                indirizzo: Default::default(),
                bloccati: if i % 10 == 3 {
                    FieldSet::default()
                } else {
                    FieldSet::all_lockable()
                },
                origin: o(i as u32),
            });
        }
        s.pupils.push(p);
    }
    l.classes = sidisync::read::local::derive_classes(&l.pupils);
    (s, l)
}

fn bench(c: &mut Criterion) {
    let (s, l) = model(60_000);
    let v = Validation {
        findings: vec![],
        pupil_errors: vec![false; s.pupils.len()],
        class_errors: vec![false; s.classes.len()],
        // empty: the engine counts duplicates itself
        duplicates: vec![],
    };
    let map = CodeMap::identity();
    let p = plan(&s, &v, &l, &map, None).unwrap();
    eprintln!(
        "60k pupils: {} ops, {} review items",
        p.ops.len(),
        p.review.len()
    );
    let mut g = c.benchmark_group("sync_60k");
    g.sample_size(10);
    g.bench_function("plan", |b| b.iter(|| plan(&s, &v, &l, &map, None).unwrap()));
    let opts = PackageOptions {
        out: "x".into(),
        zip: false,
        lang: Lang::It,
        generated_at: 0,
        profile_name: "default".into(),
        inputs: vec![],
        durable: true,
    };
    g.bench_function("render_package", |b| {
        b.iter(|| render_package(&p, &opts).unwrap())
    });
    g.bench_function("apply", |b| {
        b.iter(|| sidisync::apply::apply_ops(&l, &p.ops))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
