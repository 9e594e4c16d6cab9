using System.Globalization;
using System.Text;

namespace CommerceManager.Common;

/// <summary>
/// Writes RFC 4180 CSV for spreadsheet apps, streaming: UTF-8 with a byte-order mark (so Excel reads accents),
/// CRLF line ends, fields quoted when they hold a comma, quote or line break, and text a spreadsheet would run as
/// a formula (starting with =, +, -, @, tab or CR) neutralised with a leading apostrophe.
/// </summary>
/// <param name="forSpreadsheets">False for a file only software reads (no formula neutralising): values stay exactly as they are.</param>
public sealed class CsvWriter(Stream stream, bool forSpreadsheets = true) : IAsyncDisposable
{
    private readonly StreamWriter writer = new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 64 * 1024, leaveOpen: true)
    {
        NewLine = "\r\n",
    };

    public Task WriteRowAsync(params IEnumerable<string?> fields) =>
        writer.WriteLineAsync(forSpreadsheets ? Row(fields) : string.Join(',', fields.Select(Quoted)));

    /// <summary>One CSV line (without its line end).</summary>
    public static string Row(IEnumerable<string?> fields) => string.Join(',', fields.Select(Field));

    /// <summary>One field: neutralised, then quoted when it must be.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        return Quoted(IsFormula(value) ? "'" + value : value);
    }

    /// <summary>Text a spreadsheet would run: starting with =, +, -, @, tab or CR (a plain negative number is data).</summary>
    public static bool IsFormula(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsPlainNumber(value);

    /// <summary>Undoes <see cref="Field"/>'s neutralising: <c>'=1+2</c> read back is <c>=1+2</c>.</summary>
    public static string Unneutralised(string value) => value.Length > 1 && value[0] == '\'' && IsFormula(value[1..]) ? value[1..] : value;

    private static string Quoted(string? value) =>
        string.IsNullOrEmpty(value) ? "" : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    /// <summary>A negative number such as -12.5 is data, not a formula: written as it is.</summary>
    private static bool IsPlainNumber(string value) =>
        value[0] == '-' && decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);

    public static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public Task FlushAsync() => writer.FlushAsync();

    public async ValueTask DisposeAsync()
    {
        await writer.FlushAsync();
        await writer.DisposeAsync();
    }
}

/// <summary>A CSV file streamed to the browser as a download, row by row as the database yields them.</summary>
public static class CsvDownload
{
    /// <summary>
    /// Writes <paramref name="header"/> and then a line per row. The first row is read before anything is sent, so a
    /// query the database refuses (a bad filter) is a plain 400 with its reason rather than a broken file.
    /// </summary>
    public static async Task<IResult> StreamAsync<T>(HttpContext context, string fileStem, IEnumerable<string> header,
        IAsyncEnumerable<T> source, Func<T, IEnumerable<string?>> row)
    {
        var ct = context.RequestAborted;
        await using var rows = source.GetAsyncEnumerator(ct);
        bool any;
        try
        {
            any = await rows.MoveNextAsync();
        }
        catch (Querying.FilterException ex)
        {
            return Results.BadRequest(ex.Message);
        }
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileStem}-{context.RequestServices.GetRequiredService<TimeProvider>().UtcNow():yyyy-MM-dd-HHmm}.csv\"";
        context.Response.Headers.CacheControl = "no-store";
        await using (var csv = new CsvWriter(context.Response.Body))
        {
            await csv.WriteRowAsync(header);
            for (var written = 1; any; written++)
            {
                await csv.WriteRowAsync(row(rows.Current));
                if (written % 1000 == 0)
                {
                    await csv.FlushAsync();
                }
                any = await rows.MoveNextAsync();
            }
        }
        return Results.Empty;
    }

    /// <summary>A download link relative to the app's base: <paramref name="path"/> with the parameters that have a value.</summary>
    public static string Link(string path, IEnumerable<KeyValuePair<string, string?>> parameters) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path.TrimStart('/'),
            parameters.Where(p => !string.IsNullOrEmpty(p.Value)).ToDictionary(p => p.Key, p => p.Value));

    /// <summary>Ids from a <c>?ids=a,b,c</c> parameter; null when one of them is not an id.</summary>
    public static List<Guid>? Ids(string text)
    {
        var ids = new List<Guid>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Guid.TryParse(part, out var id))
            {
                return null;
            }
            ids.Add(id);
        }
        return ids;
    }
}
