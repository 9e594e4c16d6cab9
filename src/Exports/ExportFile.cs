using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Common;

namespace CommerceManager.Exports;

/// <summary>
/// An export file written row by row: CSV for spreadsheets (<see cref="CsvWriter"/>: BOM, RFC 4180, formulas
/// neutralised) or JSON Lines (one object per line, values typed: numbers, booleans, custom fields as JSON). A row is
/// its columns' values in order; JSON Lines can carry nested lists (a customer's addresses) that CSV flattens.
/// </summary>
public abstract class ExportFile : IAsyncDisposable
{
    public static ExportFile Create(Stream stream, ExportFormat format, IReadOnlyList<string> columns) => format switch
    {
        ExportFormat.Jsonl => new JsonLinesFile(stream, columns),
        _ => new CsvFile(stream, columns),
    };

    /// <summary>Writes a row: its values line up with the columns; its nested lists (JSON Lines only) follow them.</summary>
    public abstract ValueTask WriteAsync(ExportRow row);

    public abstract ValueTask DisposeAsync();

    /// <summary>A value as spreadsheet text: invariant numbers, ISO UTC times, true/false, JSON for other custom values.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        DateTime t => CsvWriter.Time(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b ? "true" : "false",
        JsonNode n => n.ToJsonString(),
        var other => other.ToString(),
    };

    private sealed class CsvFile : ExportFile
    {
        private readonly CsvWriter csv;
        private readonly Task header;

        public CsvFile(Stream stream, IReadOnlyList<string> columns)
        {
            csv = new CsvWriter(stream);
            header = csv.WriteRowAsync(columns);
        }

        public override async ValueTask WriteAsync(ExportRow row)
        {
            await header;
            await csv.WriteRowAsync(row.Values.Select(Text));
        }

        public override async ValueTask DisposeAsync()
        {
            await header;
            await csv.DisposeAsync();
        }
    }

    private sealed class JsonLinesFile(Stream stream, IReadOnlyList<string> columns) : ExportFile
    {
        // Each line is written to memory and copied into the file's buffer: flushing a Utf8JsonWriter flushes the
        // stream under it, a write to disk per row.
        private readonly BufferedStream buffer = new(stream, 64 * 1024);
        private readonly System.Buffers.ArrayBufferWriter<byte> line = new(4096);
        private Utf8JsonWriter? json;
        private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public override async ValueTask WriteAsync(ExportRow row)
        {
            var (values, nested) = row;
            line.ResetWrittenCount();
            if (json is null)
            {
                json = new Utf8JsonWriter(line, Options);
            }
            else
            {
                json.Reset(line);
            }
            json.WriteStartObject();
            for (var i = 0; i < columns.Count; i++)
            {
                json.WritePropertyName(columns[i]);
                Write(json, values[i]);
            }
            foreach (var (name, items) in nested ?? [])
            {
                json.WriteStartArray(name);
                foreach (var item in items)
                {
                    json.WriteStartObject();
                    foreach (var (key, value) in item)
                    {
                        json.WritePropertyName(key);
                        Write(json, value);
                    }
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.Flush();
            line.Write("\n"u8);
            await buffer.WriteAsync(line.WrittenMemory);
        }

        private static void Write(Utf8JsonWriter json, object? value)
        {
            switch (value)
            {
                case null: json.WriteNullValue(); break;
                case string s: json.WriteStringValue(s); break;
                case bool b: json.WriteBooleanValue(b); break;
                case int n: json.WriteNumberValue(n); break;
                case long n: json.WriteNumberValue(n); break;
                case decimal d: json.WriteNumberValue(d); break;
                case DateTime t: json.WriteStringValue(CsvWriter.Time(t)); break;
                case JsonNode node: node.WriteTo(json); break;
                default: json.WriteStringValue(Text(value)); break;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (json is not null)
            {
                await json.DisposeAsync();
            }
            // Flushed, not disposed: that would close the caller's stream, which stays the caller's to close.
            await buffer.FlushAsync();
        }
    }
}
