//! serde helpers of generated code: how values whose JSON form a plain serde
//! derive would get wrong are read and written.
//!
//! - An optional property that is not nullable must reject `null`
//!   ([`present`]); plain `Option<T>` would take it.
//! - JSON Schema integers include `1.0`; serde's `i64` refuses it.
//! - `format: uuid` and `format: date-time` accept exactly what `jsonschema`
//!   accepts (the `uuid` crate alone also takes braces, URNs and 32 bare digits).
//!
//! Each such leaf type implements [`Wire`], as do `Option`, `Vec` and
//! `BTreeMap<String, _>` of them; the `with` modules here use it.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// A value with its own JSON reading and writing (see the module docs).
pub trait Wire: Sized {
    /// Writes the value.
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
    /// Reads the value.
    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// Reads an optional, non-nullable property: present means `Some`, and `null`
/// is refused like any other value of the wrong type. Use with
/// `#[serde(default, deserialize_with = "…")]`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Reads a required, nullable property: unlike a plain `Option<T>` field, a
/// missing property is an error.
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

/// A generated struct or tagged enum, read only from a JSON object.
///
/// serde's derive also reads structs from arrays (`[a, b]` as the fields in
/// order) and internally tagged enums from arrays (the tag first); JSON
/// Schema's `"type": "object"` refuses both. Generated types derive serde
/// with `#[serde(remote = "Self")]` and implement `Deserialize` through
/// [`object`], which hands the derived code a map or refuses.
pub trait Object<'de>: Sized {
    /// The derived deserialization, given a map.
    fn from_map<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// Reads a `T` from a JSON object only (see [`Object`]).
pub fn object<'de, D: Deserializer<'de>, T: Object<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct ObjectVisitor<T>(PhantomData<T>);
    impl<'de, T: Object<'de>> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_map(de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

/// `#[serde(with = "…")]` for a required [`Wire`] value.
pub mod required {
    use super::Wire;
    use serde::{Deserializer, Serializer};

    /// Writes the value.
    pub fn serialize<T: Wire, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.ser(serializer)
    }

    /// Reads the value.
    pub fn deserialize<'de, T: Wire, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        T::de(deserializer)
    }
}

/// `#[serde(default, skip_serializing_if = "Option::is_none", with = "…")]`
/// for an optional [`Wire`] value (present means `Some`).
pub mod optional {
    use super::Wire;
    use serde::{Deserializer, Serializer};

    /// Writes the value (`None` is skipped by `skip_serializing_if`).
    pub fn serialize<T: Wire, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => v.ser(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads the value.
    pub fn deserialize<'de, T: Wire, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        T::de(deserializer).map(Some)
    }
}

/// A JSON Schema integer: `3`, `3.0` and `3e0` are the same integer.
impl Wire for i64 {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(*self)
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IntVisitor;
        impl Visitor<'_> for IntVisitor {
            type Value = i64;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
                i64::try_from(v).map_err(|_| E::custom(format!("integer {v} is out of range")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
                // 2^63 is exact in f64; the range is [-2^63, 2^63).
                if v.fract() == 0.0
                    && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&v)
                {
                    Ok(v as i64)
                } else if v.fract() == 0.0 {
                    Err(E::custom(format!("integer {v} is out of range")))
                } else {
                    Err(E::invalid_type(de::Unexpected::Float(v), &self))
                }
            }
        }
        deserializer.deserialize_any(IntVisitor)
    }
}

/// Any JSON Schema integer (`3`, `3.0`, `3e0`), as `i128`.
fn integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i128, D::Error> {
    struct WideVisitor;
    impl Visitor<'_> for WideVisitor {
        type Value = i128;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
            Ok(v.into())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
            Ok(v.into())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<i128, E> {
            if v.fract() == 0.0 && v.abs() < 1.7e38 {
                Ok(v as i128)
            } else if v.fract() == 0.0 {
                Err(E::custom(format!("integer {v} is out of range")))
            } else {
                Err(E::invalid_type(de::Unexpected::Float(v), &self))
            }
        }
    }
    deserializer.deserialize_any(WideVisitor)
}

/// The narrower integer types of hand-written payloads (`#[serde(with =
/// "evreg::wire::required")]` on a `u32` field): JSON Schema integers, range-checked.
macro_rules! wire_integers {
    ($($t:ty => $ser:ident),* $(,)?) => {$(
        impl Wire for $t {
            fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.$ser(*self)
            }

            fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let v = integer(deserializer)?;
                <$t>::try_from(v).map_err(|_| {
                    de::Error::custom(format!("integer {v} is out of range for {}", stringify!($t)))
                })
            }
        }
    )*};
}

wire_integers!(
    i8 => serialize_i8,
    i16 => serialize_i16,
    i32 => serialize_i32,
    u8 => serialize_u8,
    u16 => serialize_u16,
    u32 => serialize_u32,
    u64 => serialize_u64,
);

/// Parses a JSON string with `parse`, borrowing it when the input allows.
#[cfg(any(feature = "uuid", feature = "chrono", feature = "time"))]
fn parse_str<'de, D: Deserializer<'de>, T>(
    deserializer: D,
    expecting: &'static str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, D::Error> {
    struct StrVisitor<T> {
        expecting: &'static str,
        parse: fn(&str) -> Option<T>,
    }
    impl<T> Visitor<'_> for StrVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
            (self.parse)(s).ok_or_else(|| E::custom(format!("{s:?} is not {}", self.expecting)))
        }
    }
    deserializer.deserialize_str(StrVisitor { expecting, parse })
}

/// `format: uuid` as `jsonschema` reads it: the hyphenated form only (36
/// characters), hex digits in either case.
#[cfg(feature = "uuid")]
fn parse_uuid(s: &str) -> Option<uuid::Uuid> {
    // Of the forms the uuid crate reads, only the hyphenated one has 36 bytes.
    if s.len() == 36 {
        uuid::Uuid::try_parse(s).ok()
    } else {
        None
    }
}

/// Whether `s` has the everyday RFC 3339 shape
/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` (upper-case `T`/`Z`, seconds below
/// 60), for which chrono's and `jsonschema`'s answers coincide.
#[cfg(any(feature = "chrono", feature = "time"))]
fn plain_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !(digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10))
        || !(b[10] == b'T'
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19))
        || b[17] >= b'6'
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i - start > 9 {
            return false;
        }
    }
    match &b[i..] {
        [b'Z'] => true,
        [b'+' | b'-', ..] => {
            b.len() == i + 6 && digits(i + 1..i + 3) && b[i + 3] == b':' && digits(i + 4..i + 6)
        }
        _ => false,
    }
}

/// `format: date-time`, parsed by `parse` on the everyday shape, and after
/// `jsonschema`'s own check otherwise.
#[cfg(any(feature = "chrono", feature = "time"))]
fn parse_date_time<T>(s: &str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
    if plain_date_time(s) || crate::validate::Format::DateTime.is_valid(s) {
        parse(s)
    } else {
        None
    }
}

#[cfg(feature = "uuid")]
impl Wire for uuid::Uuid {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(
            self.hyphenated()
                .encode_lower(&mut uuid::Uuid::encode_buffer()),
        )
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parse_str(deserializer, "a uuid", parse_uuid)
    }
}

#[cfg(feature = "chrono")]
impl Wire for chrono::DateTime<chrono::Utc> {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parse_str(deserializer, "an RFC 3339 date-time", |s| {
            parse_date_time(s, |s| {
                chrono::DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|t| t.with_timezone(&chrono::Utc))
            })
        })
    }
}

#[cfg(feature = "time")]
impl Wire for time::OffsetDateTime {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        parse_str(deserializer, "an RFC 3339 date-time", |s| {
            parse_date_time(s, |s| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
            })
        })
    }
}

/// A nullable value.
impl<T: Wire> Wire for Option<T> {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(v) => v.ser(serializer),
            None => serializer.serialize_none(),
        }
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<Wired<T>>::deserialize(deserializer).map(|o| o.map(|w| w.0))
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self {
            seq.serialize_element(&WiredRef(item))?;
        }
        seq.end()
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(PhantomData<T>);
        impl<'de, T: Wire> Visitor<'de> for SeqVisitor<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(Wired(item)) = seq.next_element::<Wired<T>>()? {
                    out.push(item);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_seq(SeqVisitor(PhantomData))
    }
}

impl<T: Wire> Wire for BTreeMap<String, T> {
    fn ser<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k, &WiredRef(v))?;
        }
        map.end()
    }

    fn de<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<T>(PhantomData<T>);
        impl<'de, T: Wire> Visitor<'de> for MapVisitor<T> {
            type Value = BTreeMap<String, T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, Wired(v))) = map.next_entry::<String, Wired<T>>()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

struct Wired<T>(T);

impl<'de, T: Wire> Deserialize<'de> for Wired<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::de(deserializer).map(Wired)
    }
}

struct WiredRef<'a, T>(&'a T);

impl<T: Wire> Serialize for WiredRef<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.ser(serializer)
    }
}

/// Whether `value` holds a number written with a zero fraction (`2.0`,
/// `1e3`) that an integer type can hold.
pub fn has_integral_float(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) => n
            .as_f64()
            .is_some_and(|f| n.is_f64() && as_integer(f).is_some()),
        Value::Array(items) => items.iter().any(has_integral_float),
        Value::Object(map) => map.values().any(has_integral_float),
        _ => false,
    }
}

/// Every such number of `value` as the integer it is.
pub fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(i) = n.as_f64().and_then(as_integer) {
                *value = i;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// `f` as a JSON integer, when it is one that `i64` or `u64` holds.
fn as_integer(f: f64) -> Option<serde_json::Value> {
    if f.fract() != 0.0 || !f.is_finite() {
        return None;
    }
    // 2^63 and 2^64 are exact in f64; below them the cast is exact too.
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) {
        Some(serde_json::Value::from(f as i64))
    } else if (0.0..18_446_744_073_709_551_616.0).contains(&f) {
        Some(serde_json::Value::from(f as u64))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct T {
        #[serde(with = "required")]
        n: i64,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "optional")]
        ns: Option<Vec<i64>>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "present"
        )]
        s: Option<String>,
        #[serde(deserialize_with = "nullable")]
        z: Option<String>,
    }

    #[test]
    fn integers_accept_integral_floats() {
        let t: T = serde_json::from_value(json!({"n": 3.0, "ns": [1, 2.0], "z": null})).unwrap();
        assert_eq!(t.n, 3);
        assert_eq!(t.ns, Some(vec![1, 2]));
        assert!(serde_json::from_value::<T>(json!({"n": 3.5, "z": null})).is_err());
        assert!(serde_json::from_value::<T>(json!({"n": 1e19, "z": null})).is_err());
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            json!({"n": 3, "ns": [1, 2], "z": null})
        );
    }

    #[test]
    fn optional_refuses_null_and_required_nullable_must_be_present() {
        assert!(serde_json::from_value::<T>(json!({"n": 1, "s": null, "z": null})).is_err());
        assert!(serde_json::from_value::<T>(json!({"n": 1, "ns": null, "z": null})).is_err());
        assert!(serde_json::from_value::<T>(json!({"n": 1})).is_err());
        let t: T = serde_json::from_value(json!({"n": 1, "z": "x"})).unwrap();
        assert_eq!(t.s, None);
    }

    #[cfg(feature = "uuid")]
    #[test]
    fn uuids_are_hyphenated_only() {
        let ok = "5f0c6f5e-8a5e-4c2b-9d6e-2f1a4b7c9d10";
        let u = uuid::Uuid::de(serde_json::Value::from(ok)).unwrap();
        assert_eq!(u.to_string(), ok);
        assert!(
            uuid::Uuid::de(serde_json::Value::from("5f0c6f5e8a5e4c2b9d6e2f1a4b7c9d10")).is_err()
        );
        assert!(uuid::Uuid::de(serde_json::Value::from(format!("{{{ok}}}"))).is_err());
    }

    #[cfg(feature = "uuid")]
    proptest::proptest! {
        /// The fast uuid reader answers as `jsonschema`'s format check does.
        #[test]
        fn uuid_reader_agrees_with_jsonschema(s in "[0-9a-fA-F{}:urn-]{30,46}|[0-9a-f]{8}-[0-9a-fA-F]{4}-[0-9a-f]{4}-[0-9a-gA-G]{4}-[0-9a-f]{12}") {
            proptest::prop_assert_eq!(parse_uuid(&s).is_some(), crate::validate::Format::Uuid.is_valid(&s));
        }
    }

    #[cfg(feature = "chrono")]
    proptest::proptest! {
        /// Where the fast date-time path answers, it answers as `jsonschema`
        /// does, and chrono then parses exactly those strings.
        #[test]
        fn date_time_reader_agrees_with_jsonschema(
            s in "[0-9]{4}-[01][0-9]-[0-3][0-9][Tt ][0-2][0-9]:[0-6][0-9]:[0-6][0-9](\\.[0-9]{0,10})?([Zz]|[+-][0-2][0-9]:[0-6][0-9]|)"
        ) {
            let fast = parse_date_time(&s, |s| chrono::DateTime::parse_from_rfc3339(s).ok()).is_some();
            proptest::prop_assert_eq!(fast, crate::validate::Format::DateTime.is_valid(&s), "{}", s);
        }
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn date_times_are_rfc3339() {
        let t =
            chrono::DateTime::<chrono::Utc>::de(serde_json::Value::from("2026-01-02T03:04:05Z"))
                .unwrap();
        let back = t.ser(serde_json::value::Serializer).unwrap();
        assert_eq!(back, json!("2026-01-02T03:04:05Z"));
        assert!(
            chrono::DateTime::<chrono::Utc>::de(serde_json::Value::from("2026-01-02 03:04:05Z"))
                .is_err()
        );
    }
}
