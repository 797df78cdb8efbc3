// Parquet preference files (issue 13 §7: the Hub ships UltraFeedback-binarized and most preference
// sets as Parquet): rows read with hyparquet's public API, one row group at a time from byte ranges of
// the file, so only one group's rows are held at once (issue 2: never the whole file twice). Columns
// become a row's fields as `datasets` gives them: strings, lists of {role, content} structs, structs.
// Codecs beyond snappy come from node:zlib (src/server/service/parquet.ts). Problems with the file are
// DataErrors naming it; problems with a row name its 1-based row number (dataset.ts).
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { PARQUET_COMPRESSORS, parquetProblem, plain } from '../../server/service/parquet';
import { DataError } from './errors';

/** A row of a .parquet file (read.ts's RawRow): `line` is 0 (a Parquet file has none), `row` 1-based. */
export interface ParquetRow { value: unknown; line: 0; index: number; row: number }

/** Every row of a .parquet file, in order. */
export async function* parquetRows(path: string, label: string = path): AsyncGenerator<ParquetRow> {
  const fail = (what: string, e: unknown): DataError => {
    const err = e as NodeJS.ErrnoException;
    return new DataError(label, 0, '', `${what}: ${err.code === 'ENOENT' ? 'file not found' : parquetProblem(e)}`);
  };
  let file: AsyncBuffer;
  let metadata: FileMetaData;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw fail('cannot read', e);
  }
  let index = 0;
  for (const group of metadata.row_groups) {
    const n = Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart: index, rowEnd: index + n, compressors: PARQUET_COMPRESSORS });
    } catch (e) {
      throw fail(`cannot read rows ${index + 1}-${index + n}`, e);
    }
    for (const r of rows) {
      yield { value: plain(r), line: 0, index, row: index + 1 };
      index++;
    }
  }
}
