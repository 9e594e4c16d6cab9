using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Common;
using FluentValidation;
using FluentValidation.Results;

namespace CommerceManager.DataTransfer;

/// <summary>
/// A JSON Lines upload, turned into the CSV the import reads: one column per top-level value (numbers, booleans and
/// text as text; custom fields by slug), and a customer's first address from its <c>addresses</c> list as the
/// <c>address_*</c> columns our CSV export writes. So our own JSON Lines export imports back with the mapping guessed.
/// Values are kept exactly (no spreadsheet neutralising: the file is only read by the import).
/// </summary>
public static class JsonLines
{
    public static async Task ToCsvAsync(string path, CancellationToken ct)
    {
        var csvPath = path + ".converting";
        try
        {
            // First pass: every column any line has, in the order first met.
            var columns = new List<string>();
            var known = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var (_, row) in RowsAsync(path, ct))
            {
                foreach (var key in row.Keys.Where(known.Add))
                {
                    columns.Add(key);
                }
            }
            if (columns.Count == 0)
            {
                throw new ValidationException([new ValidationFailure("File", "The file has no JSON objects to import.")]);
            }
            await using (var file = new FileStream(csvPath, OwnerOnlyFile.Write(FileMode.Create)))
            await using (var csv = new CsvWriter(file, forSpreadsheets: false))
            {
                await csv.WriteRowAsync(columns);
                await foreach (var (_, row) in RowsAsync(path, ct))
                {
                    await csv.WriteRowAsync(columns.Select(c => row.GetValueOrDefault(c)));
                }
            }
            File.Move(csvPath, path, overwrite: true);
        }
        finally
        {
            File.Delete(csvPath);
        }
    }

    /// <summary>The longest line read (in characters): a customer is a few KB, and one endless line must not fill the memory.</summary>
    public const int MaxLineChars = 1024 * 1024;

    /// <summary>The next line without its ending, or null at the end; a line longer than <see cref="MaxLineChars"/> is the file's error.</summary>
    private static string? ReadLine(StreamReader reader, System.Text.StringBuilder buffer, int number)
    {
        if (reader.Peek() < 0)
        {
            return null;
        }
        buffer.Clear();
        int c;
        while ((c = reader.Read()) >= 0 && c != '\n')
        {
            if (c == '\r')
            {
                if (reader.Peek() == '\n')
                {
                    reader.Read();
                }
                break;
            }
            if (buffer.Length >= MaxLineChars)
            {
                throw new ValidationException([new ValidationFailure("File",
                    $"Line {number:N0} is longer than {MaxLineChars / (1024 * 1024)} MB: a JSON Lines file has one customer per line.")]);
            }
            buffer.Append((char)c);
        }
        return buffer.ToString();
    }

    /// <summary>Each line as column → text; a line that is not a JSON object is the file's error, with its number.</summary>
    private static async IAsyncEnumerable<(int Line, Dictionary<string, string?> Row)> RowsAsync(string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var number = 0;
        var buffer = new System.Text.StringBuilder();
        while (ReadLine(reader, buffer, number + 1) is { } line)
        {
            ct.ThrowIfCancellationRequested();
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            JsonObject obj;
            try
            {
                obj = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException)
            {
                throw new ValidationException([new ValidationFailure("File", $"Line {number:N0} is not a JSON object: a JSON Lines file has one object per line.")]);
            }
            var row = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (key, value) in obj)
            {
                if (key == "addresses" && value is JsonArray addresses)
                {
                    row["address_count"] = addresses.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (addresses.FirstOrDefault() is JsonObject first)
                    {
                        foreach (var (field, fieldValue) in first.Where(f => f.Key != "id"))
                        {
                            row["address_" + field] = Text(fieldValue);
                        }
                    }
                }
                else
                {
                    row[key] = Text(value);
                }
            }
            yield return (number, row);
        }
    }

    private static string? Text(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };
}
