//! Schemas for bodies that are not JSON, as generators expect them.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};

/// Bytes on the wire (`type: string, format: binary`): an NDJSON upload, a Shift_JIS bank file.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// CSV text (`type: string`), the second content type of the statistics.
pub struct Csv;

impl utoipa::PartialSchema for Csv {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "RFC 4180 CSV with a header row, UTF-8 (a BOM first with `bom=true`)",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Csv {}
