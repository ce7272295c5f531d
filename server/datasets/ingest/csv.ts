// RFC 4180 CSV read line by line: assembles records that may span physical lines (newlines inside quotes).

export type CsvStep =
  | { kind: "pending" }
  | { kind: "record"; line: number; values: string[] }
  | { kind: "error"; line: number; reason: string; /** reading cannot go on after it */ fatal?: true };

export interface CsvReader {
  /** Takes one physical line, without its line break; `line` is its 1-based number. */
  push(text: string, line: number): CsvStep;
  /** At the end of the input: an error when a quoted field was never closed. */
  end(): CsvStep;
}

/**
 * Fields are separated by commas; a field may be quoted with '"', a quote inside it doubled, and then it may hold
 * commas and line breaks (kept as "\n"). A quote in an unquoted field, or text after a closing quote, is an error.
 * An empty line between records is skipped. A record is reported at the line where it starts. A record longer than
 * `maxRecordChars` (a quote left open would swallow the rest of the file) is a fatal error: memory stays bounded.
 */
export function createCsvReader(maxRecordChars: number): CsvReader {
  let values: string[] = [];
  let field = "";
  let inQuotes = false;
  let afterQuote = false;
  let startLine = 0;
  let recordChars = 0;
  let problem: string | null = null;

  function complete(): CsvStep {
    values.push(field);
    const step: CsvStep = problem === null ? { kind: "record", line: startLine, values } : { kind: "error", line: startLine, reason: problem };
    values = [];
    field = "";
    return step;
  }

  return {
    push(text, line) {
      if (inQuotes) {
        field += "\n";
      } else {
        if (text === "") return { kind: "pending" };
        startLine = line;
        recordChars = 0;
        problem = null;
        afterQuote = false;
        if (!text.includes('"')) {
          values = text.split(",");
          field = values.pop() ?? "";
          return complete();
        }
      }
      recordChars += text.length;
      if (recordChars > maxRecordChars) {
        return { kind: "error", line: startLine, reason: `a record longer than ${maxRecordChars} characters`, fatal: true };
      }
      for (let i = 0; i < text.length; i += 1) {
        const c = text[i];
        if (inQuotes) {
          if (c !== '"') field += c;
          else if (text[i + 1] === '"') {
            field += '"';
            i += 1;
          } else {
            inQuotes = false;
            afterQuote = true;
          }
        } else if (c === ",") {
          values.push(field);
          field = "";
          afterQuote = false;
        } else if (afterQuote) {
          problem ??= "text after the closing quote of a field";
        } else if (c === '"' && field === "") {
          inQuotes = true;
        } else if (c === '"') {
          problem ??= "a quote inside an unquoted field (quote the field and double the quote)";
        } else {
          field += c;
        }
      }
      return inQuotes ? { kind: "pending" } : complete();
    },
    end() {
      return inQuotes ? { kind: "error", line: startLine, reason: "a quoted field is never closed" } : { kind: "pending" };
    },
  };
}
