//! Query pushdown, the expression half: one `SELECT`'s expressions
//! (columns, comparisons, `IN`, casts, aggregates, literals) translated
//! into the database's SQL with their types, only where the result is
//! provably the same in PostgreSQL and in Polars.

use std::collections::BTreeMap;

use sqlparser::ast::{
    BinaryOperator, CastKind, DataType, DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, UnaryOperator, Value,
};

use super::super::database::Dialect;
use crate::spec::ColumnType;

/// A value's type and whether it is an aggregate.
pub(super) type Typed = (Ty, bool);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Int,
    Float,
    Str,
    Bool,
    Date,
    Datetime,
}

impl From<ColumnType> for Ty {
    fn from(t: ColumnType) -> Ty {
        match t {
            ColumnType::Int => Ty::Int,
            ColumnType::Float => Ty::Float,
            ColumnType::String => Ty::Str,
            ColumnType::Bool => Ty::Bool,
            ColumnType::Date => Ty::Date,
            ColumnType::Datetime => Ty::Datetime,
        }
    }
}

pub(super) struct Scope<'a> {
    /// Declared column → (type, nullable).
    pub(super) columns: BTreeMap<String, (ColumnType, bool)>,
    /// The source's name and alias, which may qualify a column.
    pub(super) names: Vec<String>,
    pub(super) dialect: &'a dyn Dialect,
}

impl Scope<'_> {
    /// The declared column an identifier names.
    pub(super) fn column_name(&self, e: &Expr) -> Option<String> {
        let name = match e {
            Expr::Identifier(id) => &id.value,
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] if self.names.contains(&q.value) => &c.value,
                _ => return None,
            },
            _ => return None,
        };
        self.columns.contains_key(name).then(|| name.clone())
    }

    /// `e` in the database's SQL, with its type, if provably the same there.
    pub(super) fn expr(&self, e: &Expr) -> Option<(String, Typed)> {
        if let Some(c) = self.column_name(e) {
            let ty = Ty::from(self.columns[&c].0);
            return Some((self.dialect.ident(&c), (ty, false)));
        }
        match e {
            Expr::Nested(inner) => {
                let (sql, ty) = self.expr(inner)?;
                Some((format!("({sql})"), ty))
            }
            Expr::Value(v) => literal(&v.value).map(|(s, t)| (s, (t, false))),
            Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
                let (sql, (_, agg)) = self.expr(inner)?;
                let not = if matches!(e, Expr::IsNotNull(_)) {
                    " NOT"
                } else {
                    ""
                };
                (!agg).then(|| (format!("({sql} IS{not} NULL)"), (Ty::Bool, false)))
            }
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => {
                let (sql, ty) = self.expr(expr)?;
                (ty == (Ty::Bool, false)).then(|| (format!("(NOT {sql})"), ty))
            }
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right),
            Expr::InList {
                expr,
                list,
                negated,
            } => self.in_list(expr, list, *negated),
            Expr::Cast {
                kind: CastKind::Cast,
                expr,
                data_type,
                format: None,
                array: false,
            } => self.cast(expr, data_type),
            Expr::Function(_) => self.aggregate(e),
            _ => None,
        }
    }

    fn binary(&self, left: &Expr, op: &BinaryOperator, right: &Expr) -> Option<(String, Typed)> {
        let (l, lt) = self.expr(left)?;
        let (r, rt) = self.expr(right)?;
        if lt.1 || rt.1 {
            return None;
        }
        let word = match op {
            BinaryOperator::And | BinaryOperator::Or => {
                let both = lt.0 == Ty::Bool && rt.0 == Ty::Bool;
                let word = if *op == BinaryOperator::And {
                    "AND"
                } else {
                    "OR"
                };
                return both.then(|| (format!("({l} {word} {r})"), (Ty::Bool, false)));
            }
            BinaryOperator::Eq => "=",
            BinaryOperator::NotEq => "<>",
            BinaryOperator::Lt => "<",
            BinaryOperator::LtEq => "<=",
            BinaryOperator::Gt => ">",
            BinaryOperator::GtEq => ">=",
            _ => return None,
        };
        // A column on at least one side, the same type on both, no floats.
        let column = self.column_name(left).is_some() || self.column_name(right).is_some();
        if !column || lt.0 != rt.0 || lt.0 == Ty::Float {
            return None;
        }
        let (l, r) = if lt.0 == Ty::Str {
            (self.dialect.binary_text(&l), self.dialect.binary_text(&r))
        } else {
            (l, r)
        };
        Some((format!("({l} {word} {r})"), (Ty::Bool, false)))
    }

    fn in_list(&self, expr: &Expr, list: &[Expr], negated: bool) -> Option<(String, Typed)> {
        let c = self.column_name(expr)?;
        let (ty, nullable) = self.columns[&c];
        if nullable || ty == ColumnType::Float || list.is_empty() {
            return None;
        }
        let mut items = Vec::new();
        for e in list {
            let Expr::Value(v) = e else { return None };
            let (sql, t) = literal(&v.value)?;
            if t != Ty::from(ty) {
                return None;
            }
            items.push(sql);
        }
        let not = if negated { "NOT " } else { "" };
        let col = self.dialect.ident(&c);
        Some((
            format!("({col} {not}IN ({}))", items.join(", ")),
            (Ty::Bool, false),
        ))
    }

    fn cast(&self, expr: &Expr, to: &DataType) -> Option<(String, Typed)> {
        let (sql, (ty, agg)) = self.expr(expr)?;
        let target = match to {
            DataType::Int(None) | DataType::Integer(None) | DataType::Int4(None) => "integer",
            DataType::BigInt(None) | DataType::Int8(None) | DataType::Int64 => "bigint",
            _ => return None,
        };
        (ty == Ty::Bool && !agg && self.column_name(expr).is_some())
            .then(|| (format!("CAST({sql} AS {target})"), (Ty::Int, false)))
    }

    pub(super) fn aggregate(&self, e: &Expr) -> Option<(String, Typed)> {
        let Expr::Function(f) = e else { return None };
        let plain = f.filter.is_none()
            && f.over.is_none()
            && f.null_treatment.is_none()
            && f.within_group.is_empty()
            && matches!(f.parameters, FunctionArguments::None)
            && !f.uses_odbc_syntax;
        let FunctionArguments::List(list) = &f.args else {
            return None;
        };
        let [FunctionArg::Unnamed(arg)] = list.args.as_slice() else {
            return None;
        };
        if !plain || !list.clauses.is_empty() {
            return None;
        }
        let [name] = f.name.0.as_slice() else {
            return None;
        };
        let name = name.as_ident()?.value.to_ascii_uppercase();
        let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
        match (name.as_str(), arg) {
            ("COUNT", FunctionArgExpr::Wildcard) if !distinct => {
                Some(("COUNT(*)".into(), (Ty::Int, true)))
            }
            ("COUNT", FunctionArgExpr::Expr(inner)) => {
                // Polars and PostgreSQL agree on non-null values only.
                let c = self.column_name(inner)?;
                let (_, nullable) = self.columns[&c];
                let d = if distinct { "DISTINCT " } else { "" };
                (!nullable).then(|| {
                    let col = self.dialect.ident(&c);
                    (format!("COUNT({d}{col})"), (Ty::Int, true))
                })
            }
            ("MIN" | "MAX", FunctionArgExpr::Expr(inner)) if !distinct => {
                let (sql, (ty, agg)) = self.expr(inner)?;
                let sql = match ty {
                    _ if agg => return None,
                    Ty::Int | Ty::Date => sql,
                    Ty::Str => self.dialect.binary_text(&sql),
                    Ty::Float | Ty::Bool | Ty::Datetime => return None,
                };
                Some((format!("{name}({sql})"), (ty, true)))
            }
            _ => None,
        }
    }
}

/// An integer, plain string or boolean literal in the database's SQL.
fn literal(v: &Value) -> Option<(String, Ty)> {
    match v {
        Value::Number(n, false) => {
            let i: i64 = n.parse().ok()?;
            Some((i.to_string(), Ty::Int))
        }
        Value::SingleQuotedString(s) if !s.contains('\\') => {
            Some((format!("'{}'", s.replace('\'', "''")), Ty::Str))
        }
        Value::Boolean(b) => Some((b.to_string().to_uppercase(), Ty::Bool)),
        _ => None,
    }
}
