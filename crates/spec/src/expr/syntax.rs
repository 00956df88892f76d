//! Lexer and recursive-descent parser for triggers and conditions.
//!
//! Grammar (lowest precedence first):
//!
//! ```text
//! pattern := alternative ("|" alternative)*
//! alternative := EVENT ("where" expr)?
//! expr    := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | compare
//! compare := atom (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "within") atom)?
//! atom    := NUMBER | "true" | "false" | "#" IDENT | IDENT ("(" args ")")?
//!          | "[" (expr ("," expr)*)? "]" | "(" expr ")"
//! ```
//!
//! Identifiers may contain `-` after the first character (`UA-east`), since the language has
//! no arithmetic. Parsing never panics: every failure is an `ExprError` with a span.

use crate::span::Span;

/// Deepest nesting of parentheses, lists and `not` accepted, so adversarial input cannot
/// exhaust the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Bool(bool),
    Num(f64),
    Ident(String),
    /// `#nato`: every party with the tag.
    Tag(String),
    List(Vec<Expr>),
    Call {
        name: String,
        name_span: Span,
        args: Vec<Expr>,
    },
    Not(Box<Expr>),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    And,
    Or,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Within,
}

impl BinOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::Within => "within",
        }
    }
}

/// An event pattern: one or more alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub alternatives: Vec<Alternative>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub event: String,
    pub event_span: Span,
    pub filter: Option<Expr>,
}

/// A syntax error. Spans are relative to the parsed text.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprError {
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Hash,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Pipe,
    Op(BinOp),
    Not,
    Where,
    True,
    False,
    Eof,
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(name) => format!("identifier `{name}`"),
        Tok::Num(n) => format!("number `{n}`"),
        Tok::Hash => "`#`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Pipe => "`|`".into(),
        Tok::Op(op) => format!("`{}`", op.as_str()),
        Tok::Not => "`not`".into(),
        Tok::Where => "`where`".into(),
        Tok::True => "`true`".into(),
        Tok::False => "`false`".into(),
        Tok::Eof => "end of expression".into(),
    }
}

fn lex(text: &str) -> Result<Vec<(Tok, Span)>, ExprError> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let single = |tok: Tok| (tok, start..start + 1);
        let tok = match c {
            b'(' => single(Tok::LParen),
            b')' => single(Tok::RParen),
            b'[' => single(Tok::LBracket),
            b']' => single(Tok::RBracket),
            b',' => single(Tok::Comma),
            b'#' => single(Tok::Hash),
            b'|' if bytes.get(i + 1) == Some(&b'|') => {
                return Err(wrong_operator(start, 2, "||", "or"));
            }
            b'|' => single(Tok::Pipe),
            b'&' => {
                let len = if bytes.get(i + 1) == Some(&b'&') { 2 } else { 1 };
                return Err(wrong_operator(start, len, &text[start..start + len], "and"));
            }
            b'=' if bytes.get(i + 1) == Some(&b'=') => (Tok::Op(BinOp::Eq), start..start + 2),
            b'=' => return Err(wrong_operator(start, 1, "=", "==")),
            b'!' if bytes.get(i + 1) == Some(&b'=') => (Tok::Op(BinOp::Ne), start..start + 2),
            b'!' => return Err(wrong_operator(start, 1, "!", "not")),
            b'<' | b'>' => {
                let eq = bytes.get(i + 1) == Some(&b'=');
                let op = match (c, eq) {
                    (b'<', true) => BinOp::Le,
                    (b'<', false) => BinOp::Lt,
                    (_, true) => BinOp::Ge,
                    (_, false) => BinOp::Gt,
                };
                (Tok::Op(op), start..start + 1 + usize::from(eq))
            }
            b'0'..=b'9' => {
                let mut end = i;
                while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.' || bytes[end] == b'_') {
                    end += 1;
                }
                let digits: String = text[start..end].chars().filter(|&c| c != '_').collect();
                let value = digits.parse::<f64>().map_err(|_| ExprError {
                    message: format!("`{}` is not a number", &text[start..end]),
                    span: start..end,
                    label: "not a number".into(),
                    help: Some("write numbers as 3, 0.5 or 15_000".into()),
                })?;
                (Tok::Num(value), start..end)
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let mut end = i;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || bytes[end] == b'-')
                {
                    end += 1;
                }
                // A trailing `-` belongs to no identifier.
                while bytes[end - 1] == b'-' {
                    end -= 1;
                }
                let word = &text[start..end];
                let tok = match word {
                    "and" => Tok::Op(BinOp::And),
                    "or" => Tok::Op(BinOp::Or),
                    "in" => Tok::Op(BinOp::In),
                    "within" => Tok::Op(BinOp::Within),
                    "not" => Tok::Not,
                    "where" => Tok::Where,
                    "true" => Tok::True,
                    "false" => Tok::False,
                    _ => Tok::Ident(word.to_string()),
                };
                (tok, start..end)
            }
            _ => {
                let ch = text[start..].chars().next().unwrap_or('?');
                let end = start + ch.len_utf8();
                return Err(ExprError {
                    message: format!("unexpected character `{ch}`"),
                    span: start..end,
                    label: "not part of the expression language".into(),
                    help: Some("expressions use identifiers, numbers, #tags, ( ) [ ] , | and the operators and, or, not, ==, !=, <, <=, >, >=, in, within".into()),
                });
            }
        };
        i = tok.1.end;
        tokens.push(tok);
    }
    tokens.push((Tok::Eof, text.len()..text.len()));
    Ok(tokens)
}

fn wrong_operator(start: usize, len: usize, found: &str, instead: &str) -> ExprError {
    ExprError {
        message: format!("unknown operator `{found}`"),
        span: start..start + len,
        label: format!("write `{instead}` here"),
        help: Some(format!("the expression language spells this operator `{instead}`")),
    }
}

struct Parser {
    tokens: Vec<(Tok, Span)>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].0
    }
    fn span(&self) -> Span {
        self.tokens[self.pos].1.clone()
    }
    fn bump(&mut self) -> (Tok, Span) {
        let tok = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        tok
    }
    fn unexpected(&self, expected: &str) -> ExprError {
        ExprError {
            message: format!("expected {expected}, found {}", describe(self.peek())),
            span: self.span(),
            label: format!("expected {expected}"),
            help: None,
        }
    }
    fn expect(&mut self, tok: Tok, what: &str) -> Result<Span, ExprError> {
        if *self.peek() == tok { Ok(self.bump().1) } else { Err(self.unexpected(what)) }
    }
    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError {
                message: format!("expression nested more than {MAX_DEPTH} levels deep"),
                span: self.span(),
                label: "too deep".into(),
                help: Some("split the condition into several entries of `conditions` (they must all hold)".into()),
            });
        }
        Ok(())
    }

    fn expect_end(&self) -> Result<(), ExprError> {
        match self.peek() {
            Tok::Eof => Ok(()),
            Tok::Where => Err(ExprError {
                help: Some(
                    "`where` belongs in a trigger: `event where condition`; conditions are plain expressions".into(),
                ),
                ..self.unexpected("end of expression")
            }),
            _ => Err(self.unexpected("an operator or the end of the expression")),
        }
    }

    fn parse_or(&mut self) -> Result<Expr, ExprError> {
        let depth = self.depth;
        let mut lhs = self.parse_and()?;
        while *self.peek() == Tok::Op(BinOp::Or) {
            // A chain is a left-deep tree: each operator nests one level deeper.
            self.enter()?;
            self.bump();
            let rhs = self.parse_and()?;
            lhs = binary(BinOp::Or, lhs, rhs);
        }
        self.depth = depth;
        Ok(lhs)
    }

    fn parse_and(&mut self) -> Result<Expr, ExprError> {
        let depth = self.depth;
        let mut lhs = self.parse_unary()?;
        while *self.peek() == Tok::Op(BinOp::And) {
            self.enter()?;
            self.bump();
            let rhs = self.parse_unary()?;
            lhs = binary(BinOp::And, lhs, rhs);
        }
        self.depth = depth;
        Ok(lhs)
    }

    fn parse_unary(&mut self) -> Result<Expr, ExprError> {
        if *self.peek() == Tok::Not {
            let start = self.bump().1.start;
            self.enter()?;
            let inner = self.parse_unary()?;
            self.depth -= 1;
            let span = start..inner.span.end;
            return Ok(Expr { kind: ExprKind::Not(Box::new(inner)), span });
        }
        self.parse_compare()
    }

    fn parse_compare(&mut self) -> Result<Expr, ExprError> {
        let lhs = self.parse_atom()?;
        match self.peek().clone() {
            Tok::Op(op) if !matches!(op, BinOp::And | BinOp::Or) => {
                self.bump();
                let rhs = self.parse_atom()?;
                if let Tok::Op(next) = self.peek()
                    && !matches!(next, BinOp::And | BinOp::Or)
                {
                    return Err(ExprError {
                        help: Some("comparisons do not chain; join them with `and`".into()),
                        ..self.unexpected("`and`, `or` or the end of the expression")
                    });
                }
                Ok(binary(op, lhs, rhs))
            }
            _ => Ok(lhs),
        }
    }

    fn parse_atom(&mut self) -> Result<Expr, ExprError> {
        let (tok, span) = self.bump();
        let kind = match tok {
            Tok::Num(n) => ExprKind::Num(n),
            Tok::True => ExprKind::Bool(true),
            Tok::False => ExprKind::Bool(false),
            Tok::Hash => match self.peek().clone() {
                Tok::Ident(name) => {
                    let end = self.bump().1.end;
                    return Ok(Expr { kind: ExprKind::Tag(name), span: span.start..end });
                }
                _ => return Err(self.unexpected("a tag name after `#`")),
            },
            Tok::Ident(name) => {
                if *self.peek() != Tok::LParen {
                    return Ok(Expr { kind: ExprKind::Ident(name), span });
                }
                self.bump();
                self.enter()?;
                let args = self.parse_list_items(Tok::RParen)?;
                self.depth -= 1;
                let end = self.expect(Tok::RParen, "`,` or `)`")?.end;
                let kind = ExprKind::Call { name, name_span: span.clone(), args };
                return Ok(Expr { kind, span: span.start..end });
            }
            Tok::LBracket => {
                self.enter()?;
                let items = self.parse_list_items(Tok::RBracket)?;
                self.depth -= 1;
                let end = self.expect(Tok::RBracket, "`,` or `]`")?.end;
                return Ok(Expr { kind: ExprKind::List(items), span: span.start..end });
            }
            Tok::LParen => {
                self.enter()?;
                let inner = self.parse_or()?;
                self.depth -= 1;
                let end = self.expect(Tok::RParen, "`)`")?.end;
                return Ok(Expr { kind: inner.kind, span: span.start..end });
            }
            other => {
                self.pos -= usize::from(other != Tok::Eof);
                return Err(self.unexpected("a value (identifier, number, #tag, list or parenthesis)"));
            }
        };
        Ok(Expr { kind, span })
    }

    fn parse_list_items(&mut self, close: Tok) -> Result<Vec<Expr>, ExprError> {
        let mut items = Vec::new();
        if *self.peek() == close {
            return Ok(items);
        }
        loop {
            items.push(self.parse_or()?);
            if *self.peek() != Tok::Comma {
                return Ok(items);
            }
            self.bump();
            if *self.peek() == close {
                return Ok(items);
            }
        }
    }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.start..rhs.span.end;
    Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
}

fn parser(text: &str) -> Result<Parser, ExprError> {
    Ok(Parser { tokens: lex(text)?, pos: 0, depth: 0 })
}

/// Parses a condition: a boolean expression over the state of the world.
pub fn parse_condition(text: &str) -> Result<Expr, ExprError> {
    let mut p = parser(text)?;
    if *p.peek() == Tok::Eof {
        return Err(ExprError {
            help: Some("write a condition such as `ceasefire` or `decided(nac)`, or remove the entry".into()),
            ..p.unexpected("a condition")
        });
    }
    let expr = p.parse_or()?;
    p.expect_end()?;
    Ok(expr)
}

/// Parses a trigger: `event (where condition)? (| event (where condition)?)*`.
pub fn parse_pattern(text: &str) -> Result<Pattern, ExprError> {
    let mut p = parser(text)?;
    let mut alternatives = Vec::new();
    loop {
        let (event, event_span) = match p.peek().clone() {
            Tok::Ident(name) => (name, p.bump().1),
            _ => {
                return Err(ExprError {
                    help: Some("a trigger starts with an event kind, e.g. `armed_attack where target == UA`".into()),
                    ..p.unexpected("an event kind")
                });
            }
        };
        if *p.peek() == Tok::LParen {
            return Err(ExprError {
                help: Some(format!("filter events with `where`: `{event} where target == UA`")),
                ..p.unexpected("`where`, `|` or the end of the trigger")
            });
        }
        let filter = if *p.peek() == Tok::Where {
            p.bump();
            Some(p.parse_or()?)
        } else {
            None
        };
        alternatives.push(Alternative { event, event_span, filter });
        match p.peek() {
            Tok::Pipe => {
                p.bump();
            }
            Tok::Eof => return Ok(Pattern { alternatives }),
            _ => return Err(p.unexpected("`|` or the end of the trigger")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Bool(b) => b.to_string(),
            ExprKind::Num(n) => n.to_string(),
            ExprKind::Ident(name) => name.clone(),
            ExprKind::Tag(tag) => format!("#{tag}"),
            ExprKind::List(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
            ExprKind::Call { name, args, .. } => {
                format!("{name}({})", args.iter().map(show).collect::<Vec<_>>().join(", "))
            }
            ExprKind::Not(inner) => format!("(not {})", show(inner)),
            ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", show(lhs), op.as_str(), show(rhs)),
        }
    }

    fn check(input: &str, expected: &str) {
        let expr = parse_condition(input).unwrap_or_else(|e| panic!("{input}: {e:?}"));
        assert_eq!(show(&expr), expected, "{input}");
    }

    fn check_error(input: &str, message_part: &str, span: Span) {
        let err = parse_condition(input).expect_err(input);
        assert!(err.message.contains(message_part), "{input}: {}", err.message);
        assert_eq!(err.span, span, "{input}: {}", err.message);
    }

    #[test]
    fn precedence_is_not_and_or() {
        check("a or b and not c", "(a or (b and (not c)))");
        check("not a == b", "(not (a == b))");
        check("(a or b) and c", "((a or b) and c)");
        check("scale >= significant and land in domains", "((scale >= significant) and (land in domains))");
    }

    #[test]
    fn identifiers_calls_tags_and_lists() {
        check("region within UA-east", "(region within UA-east)");
        check("decided(nac) and consent(UA)", "(decided(nac) and consent(UA))");
        check("attacker in #p5", "(attacker in #p5)");
        check("target in [UK, FR,]", "(target in [UK, FR])");
        check("deployed(UK, UA)", "deployed(UK, UA)");
        check("scale > 1_000", "(scale > 1000)");
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        check_error("a = b", "unknown operator `=`", 2..3);
        check_error("a && b", "unknown operator `&&`", 2..4);
        check_error("a == b == c", "expected `and`", 7..9);
        check_error("(a or b", "expected `)`", 7..7);
        check_error("a $ b", "unexpected character `$`", 2..3);
        check_error("", "expected a condition", 0..0);
        check_error("a b", "expected an operator", 2..3);
        check_error("#", "a tag name", 1..1);
        check_error("decided(nac", "`,` or `)`", 11..11);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse_condition(&deep).unwrap_err().message.contains("nested"));
        let nots = format!("{}a", "not ".repeat(10_000));
        assert!(parse_condition(&nots).is_err());
        // Regression: long flat chains nest as deeply as parentheses and overflowed the stack.
        let chain = format!("{}a", "a and ".repeat(10_000));
        assert!(parse_condition(&chain).unwrap_err().message.contains("nested"));
        let ok = format!("{}a", "a or ".repeat(40));
        assert!(parse_condition(&ok).is_ok());
    }

    #[test]
    fn patterns_have_alternatives() {
        let p = parse_pattern("armed_attack where target == UA | threat where nuclear").unwrap();
        assert_eq!(p.alternatives.len(), 2);
        assert_eq!(p.alternatives[1].event, "threat");
        assert_eq!(p.alternatives[0].event_span, 0..12);
        assert!(parse_pattern("ceasefire_broken").unwrap().alternatives[0].filter.is_none());
        assert!(parse_pattern("armed_attack(target == UA)").unwrap_err().help.unwrap().contains("where"));
        assert!(parse_pattern("where x").is_err());
    }
}
