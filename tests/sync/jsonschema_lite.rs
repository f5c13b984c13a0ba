//! A small JSON Schema checker for the subset our schemas use: `type`
//! (one or a list), `enum`, `properties`, `required`,
//! `additionalProperties` (false or a schema), `items`, `minLength`,
//! `maxLength`, `minimum`, `$ref` to `#/$defs/...`. Annotations (`$schema`,
//! `$id`, `title`, `description`) are ignored and so is `pattern` (the
//! tests check those values directly). No JSON Schema crate is a dependency.

use serde_json::Value;

/// Every violation, as `path: message`.
pub fn validate(schema: &Value, v: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    check(schema, schema, v, "$", &mut errs);
    errs
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => false,
    }
}

fn check(root: &Value, s: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let Some(s) = s.as_object() else {
        errs.push(format!("{path}: schema is not an object"));
        return;
    };
    for k in s.keys() {
        let known = [
            "$schema",
            "$id",
            "title",
            "description",
            "$defs",
            "pattern",
            "type",
            "enum",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "minLength",
            "maxLength",
            "minimum",
            "$ref",
        ];
        if !known.contains(&k.as_str()) {
            errs.push(format!("{path}: unsupported keyword {k}"));
        }
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").unwrap_or(r);
        match root["$defs"].get(name) {
            Some(d) => check(root, d, v, path, errs),
            None => errs.push(format!("{path}: unknown $ref {r}")),
        }
    }
    if let Some(t) = s.get("type") {
        let ok = match t {
            Value::String(t) => type_ok(t, v),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(|t| type_ok(t, v)),
            _ => false,
        };
        if !ok {
            errs.push(format!("{path}: type {v} is not {t}"));
            return;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        if !e.contains(v) {
            errs.push(format!("{path}: {v} not in enum"));
        }
    }
    if let Some(t) = v.as_str() {
        let n = t.chars().count() as u64;
        if s.get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| n < m)
        {
            errs.push(format!("{path}: shorter than minLength"));
        }
        if s.get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| n > m)
        {
            errs.push(format!("{path}: longer than maxLength"));
        }
    }
    if let (Some(n), Some(m)) = (v.as_f64(), s.get("minimum").and_then(Value::as_f64)) {
        if n < m {
            errs.push(format!("{path}: below minimum"));
        }
    }
    if let Some(o) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        if let Some(req) = s.get("required").and_then(Value::as_array) {
            for r in req.iter().filter_map(Value::as_str) {
                if !o.contains_key(r) {
                    errs.push(format!("{path}: missing {r}"));
                }
            }
        }
        for (k, x) in o {
            let p = format!("{path}.{k}");
            match props.and_then(|m| m.get(k)) {
                Some(ps) => check(root, ps, x, &p, errs),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errs.push(format!("{p}: not allowed")),
                    Some(ap @ Value::Object(_)) => check(root, ap, x, &p, errs),
                    _ => {}
                },
            }
        }
    }
    if let (Some(a), Some(items)) = (v.as_array(), s.get("items")) {
        for (n, x) in a.iter().enumerate() {
            check(root, items, x, &format!("{path}[{n}]"), errs);
        }
    }
}
