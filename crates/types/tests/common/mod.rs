//! Helpers shared by the layout and conformance tests: a parser of Move type expressions.

#![allow(dead_code, unreachable_pub)]

use std::fmt;

/// A parsed Move type: `name<args…>`, with module paths dropped (`0x2::object::ID` → `ID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ty {
    pub name: String,
    pub args: Vec<Ty>,
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.args.is_empty() {
            f.write_str("<")?;
            for (i, a) in self.args.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(">")?;
        }
        Ok(())
    }
}

/// Parses a Move type expression such as `vector<Entry<K, V>>` or `&mut sui::coin::Coin<WAL>`
/// (references are kept as a `&` / `&mut` prefix of the name).
pub fn parse_ty(s: &str) -> Result<Ty, String> {
    let compact: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut p = TyParser {
        s: compact.as_bytes(),
        i: 0,
    };
    let ty = p.ty()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("trailing input in type {s:?}"));
    }
    Ok(ty)
}

/// The normalized spelling of a Move type (paths dropped, `, ` between arguments).
pub fn normalize_ty(s: &str) -> String {
    match parse_ty(s) {
        Ok(t) => t.to_string(),
        Err(_) => s.split_whitespace().collect::<String>(),
    }
}

struct TyParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl TyParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn ident(&mut self) -> String {
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    fn ty(&mut self) -> Result<Ty, String> {
        self.ws();
        let mut prefix = String::new();
        if self.s.get(self.i) == Some(&b'&') {
            self.i += 1;
            prefix.push('&');
            self.ws();
            let save = self.i;
            if self.ident() == "mut" {
                prefix.push_str("mut ");
            } else {
                self.i = save;
            }
            self.ws();
        }
        let mut name = self.ident();
        while self.s[self.i..].starts_with(b"::") {
            self.i += 2;
            name = self.ident();
        }
        if name.is_empty() {
            return Err(format!(
                "expected a type at {:?}",
                String::from_utf8_lossy(&self.s[self.i..])
            ));
        }
        self.ws();
        let mut args = Vec::new();
        if self.s.get(self.i) == Some(&b'<') {
            self.i += 1;
            loop {
                args.push(self.ty()?);
                self.ws();
                match self.s.get(self.i) {
                    Some(b',') => {
                        self.i += 1;
                        self.ws();
                        if self.s.get(self.i) == Some(&b'>') {
                            self.i += 1;
                            break;
                        }
                    }
                    Some(b'>') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err("unbalanced <> in type".into()),
                }
            }
        }
        Ok(Ty {
            name: format!("{prefix}{name}"),
            args,
        })
    }
}

/// Splits at commas that are not nested in `<>`, `()`, `{}` or `[]`; drops empty pieces.
pub fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '<' | '(' | '{' | '[' => depth += 1,
            '>' | ')' | '}' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}
