//! Closed code lists with fixed lowercase snake_case wire names (API.md "Conventions": enum values
//! are lowercase snake_case strings). `parse` is the only way in from text.

/// A code that is not one of the wire names of its list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what}: {value:?}")]
pub struct UnknownCode {
    /// Which list was asked, e.g. `receivable kind`.
    pub what: &'static str,
    pub value: String,
}

/// Declares a fieldless enum with `ALL`, `as_str`, `parse`, `Display`, `FromStr` and its schema.
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $wire, )+
                }
            }

            /// Reads exactly a wire name.
            pub fn parse(s: &str) -> Result<Self, $crate::domain::receivable::wire::UnknownCode> {
                match s {
                    $( $wire => Ok($name::$variant), )+
                    _ => Err($crate::domain::receivable::wire::UnknownCode { what: $what, value: s.to_owned() }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A string schema listing exactly the wire names, so a generated client gets an enum.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        /// Written as its wire name.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// Read from exactly a wire name.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(|_| {
                    serde::de::Error::unknown_variant(&s, &[$($wire),+])
                })
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::receivable::wire::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

pub(crate) use wire_enum;
