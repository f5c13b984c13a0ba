//! The report a secretary reads: its text (snapshot), its markup (valid
//! HTML), its behaviour in a real browser (headless Chromium), and the
//! review round trip through the command line.

use crate::harness::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `sidisync` from the repository root (so paths in the report are the
/// relative ones a user types), fixed clock, no colour.
fn run_in_root(args: &[&str]) -> Output {
    assert_cmd::Command::cargo_bin("sidisync")
        .expect("sidisync binary")
        .current_dir(root())
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1764403200")
        .env("NO_COLOR", "1")
        .output()
        .expect("run sidisync")
}

/// The README's main command into `out`, in `lang`.
fn sample_sync(out: &Path, lang: &str, extra: &[&str]) -> Output {
    let out = out.display().to_string();
    let mut args = vec![
        "--lang",
        lang,
        "sync",
        "--sidi",
        "samples/frequenze.xml",
        "--local",
        "samples/alunni_locali.csv",
        "--local-classes",
        "samples/classi_locali.csv",
        "--out",
        &out,
    ];
    args.extend_from_slice(extra);
    run_in_root(&args)
}

fn report_of(dir: &Path) -> String {
    String::from_utf8(read(&dir.join("report.html"))).expect("report is UTF-8")
}

/// The text a reader sees: no style or script, tags stripped, entities
/// decoded, one line per block, blanks collapsed.
fn text_content(html: &str) -> String {
    let mut s = html.to_string();
    for tag in ["style", "script"] {
        while let Some(a) = s.find(&format!("<{tag}")) {
            let close = format!("</{tag}>");
            let b = s[a..].find(&close).map(|b| a + b + close.len()).unwrap();
            s.replace_range(a..b, "");
        }
    }
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in s.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                let block = [
                    "p", "h1", "h2", "h3", "tr", "li", "div", "section", "header", "footer", "br",
                    "dt", "dd", "table", "text", "svg", "nav", "ul", "ol", "thead", "tbody",
                    "tfoot", "title",
                ];
                if block.contains(&name.as_str()) {
                    out.push('\n');
                } else if (name == "td" || name == "th") && !tag.starts_with('/') {
                    out.push_str(" | ");
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    out.lines()
        .map(|l| {
            l.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .trim_matches(|c| c == ' ' || c == '|')
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Compares with `tests/snapshots/NAME`, or rewrites it with UPDATE_SNAPSHOTS=1.
fn snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_SNAPSHOTS=1 to create it)",
            path.display()
        )
    });
    if want != actual {
        let diff: Vec<String> = want
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(n, (a, b))| format!("line {}:\n  - {a}\n  + {b}", n + 1))
            .collect();
        panic!(
            "{} differs ({} vs {} lines); first differences:\n{}\n(UPDATE_SNAPSHOTS=1 rewrites it after a deliberate change)",
            path.display(),
            want.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn report_text_matches_snapshot_in_italian_and_english() {
    let d = tempdir();
    for (lang, file) in [
        ("it", "report_samples_it.txt"),
        ("en", "report_samples_en.txt"),
    ] {
        let out = d.path().join(lang);
        let o = sample_sync(&out, lang, &[]);
        expect_code(&o, 0);
        let text = text_content(&report_of(&out));
        snapshot(file, &text);
    }
    let it = text_content(&report_of(&d.path().join("it")));
    // what a secretary must see at a glance, in Italian
    for needle in [
        "In sintesi: 1 alunno da inserire, 5 altre modifiche automatiche, 3 decisioni da prendere.",
        "Anno scolastico",
        "Estrazione SIDI del",
        "Cosa fare:",
        "ACCETTA:",
        "Classi per sede",
        "MARINI SARA",
    ] {
        assert!(it.contains(needle), "missing {needle:?}:\n{it}");
    }
}

#[test]
fn report_is_deterministic_and_self_contained() {
    let d = tempdir();
    let a = d.path().join("a");
    let b = d.path().join("b");
    expect_code(&sample_sync(&a, "it", &[]), 0);
    expect_code(&sample_sync(&b, "it", &[]), 0);
    let (ra, rb) = (report_of(&a), report_of(&b));
    assert_eq!(ra, rb, "same inputs and SOURCE_DATE_EPOCH: same bytes");
    // no external resource of any kind
    for bad in [
        "http://", "https://", "//fonts", "<link", "src=\"", "url(", "@import",
    ] {
        assert!(!ra.contains(bad), "report references {bad:?}");
    }
    assert!(ra.contains("Content-Security-Policy"));
    assert!(ra.contains("<svg"), "inline charts");
}

// ------------------------------------------------------------------ markup

const VOID: [&str; 6] = ["br", "meta", "input", "rect", "hr", "img"];

/// A strict well-formedness check of the report's markup: every element
/// closed in order (void elements excepted; SVG `rect` self-closed), every
/// attribute quoted, no stray `<` or `&` in text, ids unique.
pub fn check_markup(html: &str) -> Result<(), String> {
    let body = html
        .strip_prefix("<!DOCTYPE html>\n")
        .ok_or("missing <!DOCTYPE html>")?;
    let mut stack: Vec<String> = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let b = body.as_bytes();
    let mut i = 0;
    let line_of = |i: usize| body[..i].matches('\n').count() + 1;
    while i < b.len() {
        match b[i] {
            b'<' => {
                let end = body[i..]
                    .find('>')
                    .map(|e| i + e)
                    .ok_or(format!("line {}: unclosed tag", line_of(i)))?;
                let tag = &body[i + 1..end];
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack
                        .pop()
                        .ok_or(format!("line {}: </{name}> without opening", line_of(i)))?;
                    if open != name {
                        return Err(format!("line {}: </{name}> closes <{open}>", line_of(i)));
                    }
                } else {
                    let self_closed = tag.ends_with('/');
                    let tag = tag.trim_end_matches('/');
                    let name: String = tag
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    if name.is_empty() || name != name.to_ascii_lowercase() {
                        return Err(format!("line {}: bad tag <{tag}>", line_of(i)));
                    }
                    // attributes: name="value" or bare names
                    let mut rest = tag[name.len()..].trim_start();
                    while !rest.is_empty() {
                        let n: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
                            .collect();
                        if n.is_empty() {
                            return Err(format!("line {}: bad attribute in <{tag}>", line_of(i)));
                        }
                        rest = &rest[n.len()..];
                        if let Some(r) = rest.strip_prefix("=\"") {
                            let q = r
                                .find('"')
                                .ok_or(format!("line {}: unterminated attribute", line_of(i)))?;
                            let v = &r[..q];
                            if v.contains('<') {
                                return Err(format!("line {}: '<' in attribute", line_of(i)));
                            }
                            if n == "id" && !ids.insert(v.to_string()) {
                                return Err(format!("line {}: duplicate id {v}", line_of(i)));
                            }
                            rest = r[q + 1..].trim_start();
                        } else if rest.starts_with('=') {
                            return Err(format!("line {}: unquoted attribute", line_of(i)));
                        } else {
                            rest = rest.trim_start();
                        }
                    }
                    if !VOID.contains(&name.as_str()) && !self_closed {
                        stack.push(name.clone());
                    }
                    if name == "script" || name == "style" {
                        let close = format!("</{name}>");
                        let e = body[end..]
                            .find(&close)
                            .ok_or(format!("line {}: unclosed <{name}>", line_of(i)))?;
                        i = end + e;
                        continue;
                    }
                }
                i = end + 1;
            }
            b'&' => {
                let semi = body[i..].find(';').unwrap_or(0);
                let ent = &body[i..i + semi + 1];
                if !["&amp;", "&lt;", "&gt;", "&quot;"].contains(&ent) {
                    return Err(format!("line {}: stray '&'", line_of(i)));
                }
                i += semi + 1;
            }
            b'>' => return Err(format!("line {}: stray '>'", line_of(i))),
            _ => i += 1,
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements: {stack:?}"));
    }
    Ok(())
}

#[test]
fn markup_checker_rejects_malformed_markup() {
    let ok =
        "<!DOCTYPE html>\n<html lang=\"it\"><body><p id=\"a\">x &amp; y<br></p></body></html>\n";
    assert_eq!(check_markup(ok), Ok(()));
    for bad in [
        "<html><body></html>",
        "<!DOCTYPE html>\n<html><p>a</b></html>",
        "<!DOCTYPE html>\n<html><p class=x>a</p></html>",
        "<!DOCTYPE html>\n<html><p>a & b</p></html>",
        "<!DOCTYPE html>\n<html><p id=\"a\"></p><p id=\"a\"></p></html>",
        "<!DOCTYPE html>\n<html><p>",
    ] {
        assert!(check_markup(bad).is_err(), "{bad}");
    }
}

/// The Nu Html Checker (`vnu.jar`, from npm's vnu-jar, installed by
/// `.ci/run`): `VNU_JAR`, else `target/ci-tools/node_modules/...`.
fn vnu_jar() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VNU_JAR") {
        return Some(PathBuf::from(p));
    }
    let p = root().join("target/ci-tools/node_modules/vnu-jar/build/dist/vnu.jar");
    p.exists().then_some(p)
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Skips (with a message) when a tool is missing outside CI; fails in CI.
fn require(tool: &str, found: bool) -> bool {
    if !found {
        assert!(
            !in_ci(),
            "{tool} is required in CI (.ci/run installs it) but was not found"
        );
        eprintln!("SKIPPED: {tool} not found (outside CI): install it to run this test");
    }
    found
}

#[test]
fn report_is_valid_html() {
    let d = tempdir();
    let mut files = Vec::new();
    for lang in ["it", "en"] {
        let out = d.path().join(lang);
        expect_code(&sample_sync(&out, lang, &[]), 0);
        let html = report_of(&out);
        if let Err(e) = check_markup(&html) {
            panic!("{lang} report is malformed: {e}");
        }
        files.push(out.join("report.html"));
    }
    vnu_check(&files);
}

/// Runs the Nu Html Checker on `files` (skipped outside CI when missing).
fn vnu_check(files: &[PathBuf]) {
    let jar = vnu_jar();
    let java = Command::new("java").arg("-version").output().is_ok();
    if !require("java + vnu.jar (npm vnu-jar)", jar.is_some() && java) {
        return;
    }
    let o = Command::new("java")
        .arg("-jar")
        .arg(jar.unwrap())
        .arg("--errors-only")
        .args(files)
        .output()
        .expect("run vnu.jar");
    assert!(
        o.status.success(),
        "the Nu Html Checker rejects {files:?}:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `gen` (4 small schools with drift, one broken export) then `bulk` into
/// `out`, in `lang`; the school codes, sorted.
fn sample_bulk(dir: &Path, out: &Path, lang: &str) -> Vec<String> {
    let g = dir.join("gen");
    if !g.exists() {
        expect_code(
            &run([
                "gen",
                "--out",
                g.to_str().unwrap(),
                "--schools",
                "4",
                "--scale",
                "0.05",
                "--seed",
                "5",
                "--drift",
                "fields=0.1,moves=0.05,missing=0.05,cf=0.04,classes=0.1,faulty=0.02",
                "-q",
            ]),
            0,
        );
        std::fs::write(g.join("sidi").join("danneggiato.zip"), b"PK\x03\x04broken").unwrap();
    }
    let o = crate::bulk::bulk_with(&g, out, &["--lang", lang, "-q"]);
    expect_code(&o, 1);
    let mut schools: Vec<String> = std::fs::read_dir(g.join("locale"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    schools.sort();
    schools
}

#[test]
fn bulk_summary_is_valid_html() {
    let d = tempdir();
    let mut files = Vec::new();
    for lang in ["it", "en"] {
        let out = d.path().join(format!("bulk-{lang}"));
        sample_bulk(d.path(), &out, lang);
        let file = out.join("summary.html");
        let html = String::from_utf8(read(&file)).unwrap();
        if let Err(e) = check_markup(&html) {
            panic!("{lang} summary is malformed: {e}");
        }
        files.push(file);
    }
    vnu_check(&files);
}

// ------------------------------------------------------------------ browser

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Runs headless Chromium on `url` with `extra` flags; (stdout, stderr).
fn headless(bin: &Path, url: &str, extra: &[String]) -> (String, String) {
    let profile = tempdir();
    let o = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run chromium");
    assert!(
        o.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The page's DOM, checked to have rendered cleanly: its filter script
/// ran, no script error, no console problem (CSP violations included).
fn rendered_dom(bin: &Path, url: &str) -> String {
    let (dom, err) = headless(bin, url, &["--dump-dom".into()]);
    assert!(
        dom.contains("data-ready=\"1\""),
        "filter script did not run"
    );
    assert!(!dom.contains("data-js-errors=\""), "script errors: {dom}");
    assert!(
        console_problems(&err).is_empty(),
        "{:?}",
        console_problems(&err)
    );
    dom
}

/// The report's DOM once the filter box has applied `term` (`#filtro=`).
fn filtered(bin: &Path, url: &str, term: &str) -> String {
    headless(bin, &format!("{url}#filtro={term}"), &["--dump-dom".into()]).0
}

/// The body rows (`<tbody><tr>`) of a dumped DOM: (hidden, text).
fn rows(dom: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let bodies = dom
        .split("<tbody>")
        .skip(1)
        .map(|b| b.split("</tbody>").next().unwrap_or(""));
    for part in bodies.flat_map(|b| b.split("<tr").skip(1)) {
        let Some(end) = part.find("</tr>") else {
            continue;
        };
        let open_end = part.find('>').unwrap_or(0);
        let hidden = part[..open_end].contains("hidden");
        out.push((hidden, text_content(&part[open_end + 1..end])));
    }
    out
}

fn console_problems(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains("Uncaught")
                || l.contains("Refused to")
                || l.contains("Content Security Policy")
                || (l.contains("CONSOLE") && l.contains("rror"))
        })
        .collect()
}

#[test]
fn report_renders_and_filters_in_headless_chromium() {
    let Some(bin) = chromium().filter(|_| true) else {
        require("chromium", false);
        return;
    };
    let d = tempdir();
    let out = d.path().join("esempio");
    expect_code(&sample_sync(&out, "it", &[]), 0);
    let file = out.join("report.html");
    let url = format!("file://{}", file.display());

    // 1. renders with no script error, no CSP violation
    let dom = rendered_dom(&bin, &url);
    let all = rows(&dom);
    assert!(all.len() > 30, "rows rendered: {}", all.len());
    assert!(
        all.iter().all(|(h, _)| !h),
        "no row hidden without a filter"
    );

    // 2. the filter box filters (term from the address, as typed by a person)
    let (dom, err) = headless(
        &bin,
        &format!("{url}#filtro=marini"),
        &["--dump-dom".into()],
    );
    assert!(!dom.contains("data-js-errors=\""), "script errors: {dom}");
    assert!(
        console_problems(&err).is_empty(),
        "{:?}",
        console_problems(&err)
    );
    assert!(dom.contains("data-filter=\"MARINI\""), "filter applied");
    let r = rows(&dom);
    let shown: Vec<&String> = r.iter().filter(|(h, _)| !h).map(|(_, t)| t).collect();
    let hidden = r.iter().filter(|(h, _)| *h).count();
    assert!(!shown.is_empty(), "MARINI rows stay visible");
    assert!(
        shown.iter().all(|t| t.to_uppercase().contains("MARINI")),
        "only matching rows stay visible: {shown:?}"
    );
    assert!(hidden > 25, "non-matching rows hidden: {hidden}");
    let matches = format!("data-filter-matches=\"{}\"", shown.len());
    assert!(dom.contains(&matches), "count reported: {matches}");
    assert!(
        dom.contains("righe corrispondono a «marini»"),
        "result line in Italian"
    );

    // 3. a term with no match hides every row and says so
    let dom = filtered(&bin, &url, "ZZZNESSUNO");
    assert!(rows(&dom).iter().all(|(h, _)| *h));
    assert!(dom.contains("Nessuna riga corrisponde"));

    // 4. the locks' class rows are filtered like any other row
    let lock_row = "2B · BOMM83501P | 1 | data di nascita";
    let r = rows(&filtered(&bin, &url, "BOMM83501P"));
    assert!(
        r.iter().any(|(h, t)| !h && t.trim() == lock_row),
        "lock row shown: {r:?}"
    );
    let r = rows(&filtered(&bin, &url, "marini"));
    assert!(r.iter().any(|(h, t)| *h && t.trim() == lock_row), "{r:?}");

    // 5. a screenshot for people to look at
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-browser");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join("report.png");
    let _ = std::fs::remove_file(&png);
    headless(
        &bin,
        &url,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1200,2400".into(),
            "--hide-scrollbars".into(),
        ],
    );
    let bytes = read(&png);
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 20_000,
        "screenshot"
    );
    eprintln!("screenshot: {}", png.display());
}

/// The rows of the every-school table (`<table class="schools">`) of a
/// dumped summary: (hidden, text).
fn school_rows(dom: &str) -> Vec<(bool, String)> {
    let t = dom
        .split("<table class=\"schools\">")
        .nth(1)
        .expect("schools table");
    rows(t.split("</table>").next().unwrap())
}

#[test]
fn bulk_summary_filters_in_headless_chromium() {
    let Some(bin) = chromium() else {
        require("chromium", false);
        return;
    };
    let d = tempdir();
    let out = d.path().join("bulk");
    let schools = sample_bulk(d.path(), &out, "it");
    let url = format!("file://{}", out.join("summary.html").display());

    // renders, script ran, no error; every school row visible
    let dom = rendered_dom(&bin, &url);
    let all = school_rows(&dom);
    assert_eq!(
        all.len(),
        schools.len() + 1,
        "one row per school and the broken file"
    );
    assert!(all.iter().all(|(h, _)| !h));

    // a school code leaves that school's rows only; the totals stay
    let code = &schools[1];
    let dom = filtered(&bin, &url, code);
    assert!(!dom.contains("data-js-errors=\""), "script errors: {dom}");
    let r = school_rows(&dom);
    let shown: Vec<&String> = r.iter().filter(|(h, _)| !h).map(|(_, t)| t).collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(shown[0].contains(code.as_str()));
    let totals = dom
        .split("<table class=\"totals nofilter\">")
        .nth(1)
        .unwrap();
    let totals = totals.split("</table>").next().unwrap();
    assert!(
        rows(totals).iter().all(|(h, _)| !h),
        "totals are not filtered"
    );
    assert!(
        dom.contains("righe corrispondono a"),
        "result line in Italian"
    );

    // the broken file is found by its name, in both tables
    let dom = filtered(&bin, &url, "danneggiato");
    assert!(
        dom.contains("data-filter-matches=\"2\""),
        "attention row and school row"
    );

    // nothing matches: every school row hidden, and said so
    let dom = filtered(&bin, &url, "ZZZNESSUNO");
    assert!(school_rows(&dom).iter().all(|(h, _)| *h));
    assert!(dom.contains("Nessuna riga corrisponde"));
}

// ------------------------------------------------------------ round trip

fn fill_decisions(review: &[u8], answers: &[(&str, &str)], extra_row: &str) -> Vec<u8> {
    let text = String::from_utf8(review.to_vec()).unwrap();
    let mut out = String::new();
    for (n, line) in text.split("\r\n").enumerate() {
        if line.is_empty() {
            continue;
        }
        let mut l = line.to_string();
        if n > 0 {
            let kind = line.split(';').nth(1).unwrap_or("");
            if let Some((_, d)) = answers.iter().find(|(k, _)| *k == kind) {
                // DECISIONE is the last column, empty as written
                assert!(l.ends_with(';'), "{l}");
                l.push_str(d);
            }
        }
        out.push_str(&l);
        out.push_str("\r\n");
    }
    out.push_str(extra_row);
    out.into_bytes()
}

#[test]
fn review_round_trip_through_the_command_line() {
    let d = tempdir();
    let first = d.path().join("primo");
    let o = sample_sync(&first, "it", &[]);
    expect_code(&o, 0);
    let review = read(&first.join("review.csv"));
    assert!(
        review.starts_with(b"\xEF\xBB\xBFID;TIPO;CODICE_FISCALE;ID_LOCALE;DETTAGLIO;DECISIONE\r\n")
    );
    let text = String::from_utf8(review[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(
        text.contains("ACCETTA se sono la stessa persona"),
        "DETTAGLIO in plain Italian"
    );

    // a person answers in the spreadsheet, and an old row lingers
    let filled = fill_decisions(
        &review,
        &[
            ("cf_mismatch", "ACCETTA"),
            ("local_only", "rifiuta"),
            ("class_local_only", "Accetta"),
        ],
        "R0000000000000000;local_only;;;vecchia riga;ACCETTA\r\n",
    );
    let sheet = write(d.path(), "review_compilato.csv", &filled);
    let second = d.path().join("secondo");
    let sheet_arg = sheet.display().to_string();
    let o = sample_sync(&second, "it", &["--decisions", &sheet_arg]);
    expect_code(&o, 0);
    let out = stdout(&o);
    assert!(
        out.contains("decisioni non più valide"),
        "stale row reported on the terminal:\n{out}"
    );

    // accepted items became operations
    let patch = String::from_utf8(read(&second.join("patch.jsonl"))).unwrap();
    let ops: Vec<serde_json::Value> = patch
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(';').next().unwrap())
        .collect();
    let reason_of = |id: &str| format!("decision:{id}");
    assert!(
        ops.iter().any(|o| o["op"] == "update_field"
            && o["field"] == "codice_fiscale"
            && o["reason"] == reason_of(ids[0])),
        "accepted cf_mismatch -> update of the codice fiscale"
    );
    assert!(
        ops.iter()
            .any(|o| o["op"] == "remove_class" && o["reason"] == reason_of(ids[2])),
        "accepted class_local_only -> remove_class"
    );
    assert!(!ops.iter().any(|o| o["op"] == "withdraw_student"));

    // the rejected one is in the manifest, the stale one among the findings
    let m: serde_json::Value =
        serde_json::from_slice(&read(&second.join("manifest.json"))).unwrap();
    let rej = m["rejected_decisions"]
        .as_array()
        .expect("rejected_decisions");
    assert_eq!(rej.len(), 1, "{rej:?}");
    assert_eq!(rej[0]["id"], ids[1]);
    let review2 = String::from_utf8(read(&second.join("review.csv"))[3..].to_vec()).unwrap();
    assert_eq!(
        review2.lines().count(),
        1,
        "nothing left to decide: {review2}"
    );
    let report = text_content(&report_of(&second));
    assert!(report.contains("Decisione non più valida"), "{report}");
    assert!(report.contains("R0000000000000000"), "stale row named");
    assert!(report.contains("Decisioni rifiutate"), "rejected listed");
    assert!(report.contains("Nessuna decisione da prendere."));
}
