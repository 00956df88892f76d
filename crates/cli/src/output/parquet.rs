//! Per-run records to Parquet, streamed in row groups so memory stays bounded.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use ironclad::sim::{Record, SimModel};

use super::atomic::Atomic;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// Rows per row group: the most records held in memory by the writer.
const ROW_GROUP: usize = 65_536;

/// Streams records into a temporary file beside the target; [`RecordWriter::finish`] puts it
/// in place, so an interrupted run leaves any previous file untouched.
pub struct RecordWriter {
    writer: ArrowWriter<File>,
    atomic: Atomic,
    schema: Arc<Schema>,
    horizons: usize,
    needs: usize,
    error: Option<String>,
}

impl RecordWriter {
    pub fn create(path: &Path, model: &SimModel) -> Result<RecordWriter, String> {
        let mut fields = vec![
            Field::new("run", DataType::UInt64, false),
            Field::new("combination", DataType::UInt32, false),
            Field::new("honoured", DataType::UInt32, false),
            Field::new("credibility", DataType::Float64, false),
            Field::new("escalation", DataType::Boolean, false),
        ];
        for h in &model.horizons {
            fields.push(Field::new(format!("adequate_{h}d"), DataType::Boolean, false));
        }
        for h in &model.horizons {
            for need in &model.needs {
                fields.push(Field::new(format!("adequacy_{}_{h}d", need.domain), DataType::Float64, false));
            }
        }
        let schema = Arc::new(Schema::new(fields));
        let (atomic, file) = Atomic::create(path).map_err(|e| e.to_string())?;
        let props = WriterProperties::builder().set_max_row_group_row_count(Some(ROW_GROUP)).build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(|e| e.to_string())?;
        Ok(RecordWriter {
            writer,
            atomic,
            schema,
            horizons: model.horizons.len(),
            needs: model.needs.len(),
            error: None,
        })
    }

    /// Appends records (the first error is kept and reported by `finish`).
    pub fn write(&mut self, records: &[Record]) {
        if self.error.is_some() || records.is_empty() {
            return;
        }
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(UInt64Array::from_iter_values(records.iter().map(|r| r.run))),
            Arc::new(UInt32Array::from_iter_values(records.iter().map(|r| r.combination))),
            Arc::new(UInt32Array::from_iter_values(records.iter().map(|r| r.honoured))),
            Arc::new(Float64Array::from_iter_values(records.iter().map(|r| r.credibility))),
            Arc::new(BooleanArray::from(records.iter().map(|r| r.escalation).collect::<Vec<_>>())),
        ];
        for h in 0..self.horizons {
            columns.push(Arc::new(BooleanArray::from(records.iter().map(|r| r.adequate_all[h]).collect::<Vec<_>>())));
        }
        for cell in 0..self.horizons * self.needs {
            columns.push(Arc::new(Float64Array::from_iter_values(records.iter().map(|r| r.adequacy[cell]))));
        }
        let result = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| e.to_string())
            .and_then(|batch| self.writer.write(&batch).map_err(|e| e.to_string()));
        if let Err(e) = result {
            self.error = Some(e);
        }
    }

    pub fn finish(self) -> Result<(), String> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.writer.close().map_err(|e| e.to_string())?;
        self.atomic.commit().map_err(|e| e.to_string())
    }
}
