using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CommerceManager.Operations;

/// <summary>What a backup holds, written first in the archive so a restore can decide before unpacking anything.</summary>
public sealed record BackupManifest(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("backup_id")] Guid BackupId,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: JsonPropertyName("app_version")] string AppVersion,
    [property: JsonPropertyName("last_migration")] string LastMigration,
    [property: JsonPropertyName("customers")] long Customers,
    [property: JsonPropertyName("keys")] int Keys,
    [property: JsonPropertyName("data_mark")] string? DataMark = null);

/// <summary>
/// A backup is one zip file: <c>manifest.json</c>, the database (<c>database.sqlite</c>, a consistent copy made with
/// <c>VACUUM INTO</c>, or <c>database.pgdump</c>, <c>pg_dump</c>'s custom format) and, on SQLite, the Data Protection
/// keys under <c>keys/</c> (on PostgreSQL they are in the database), without which the API signing key and provider
/// secrets in it could not be read.
/// </summary>
public static class BackupArchive
{
    public const int Format = 1;
    public const string ManifestEntry = "manifest.json";
    public const string SqliteEntry = "database.sqlite";
    public const string PostgresEntry = "database.pgdump";
    public const string KeysFolder = "keys/";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string AppVersion =>
        typeof(BackupArchive).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Writes the archive at <paramref name="file"/> from a database copy already on disk and the key files.</summary>
    public static async Task WriteAsync(string file, BackupManifest manifest, string databaseCopy, IReadOnlyList<string> keyFiles, CancellationToken ct)
    {
        // Readable by the app's user only: the archive holds the keys.
        await using (var stream = new FileStream(file, Common.OwnerOnlyFile.Write(FileMode.CreateNew)))
        {
            await using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            {
                var entry = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal);
                await using (var writer = await entry.OpenAsync(ct))
                {
                    await JsonSerializer.SerializeAsync(writer, manifest, Json, ct);
                }
                // pg_dump's custom format is compressed already; a SQLite file compresses well and fast.
                var level = manifest.Provider == "postgres" ? CompressionLevel.NoCompression : CompressionLevel.Fastest;
                await zip.CreateEntryFromFileAsync(databaseCopy, manifest.Provider == "postgres" ? PostgresEntry : SqliteEntry, level, ct);
                foreach (var key in keyFiles)
                {
                    await zip.CreateEntryFromFileAsync(key, KeysFolder + Path.GetFileName(key), CompressionLevel.Optimal, ct);
                }
            }
            // On disk before the file gets its final name: a backup that says it succeeded is there after a power cut.
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>The manifest of <paramref name="zip"/>, or null when it is not a Commerce Manager backup.</summary>
    public static BackupManifest? ReadManifest(ZipArchive zip)
    {
        var entry = zip.GetEntry(ManifestEntry);
        if (entry is null)
        {
            return null;
        }
        using var stream = entry.Open();
        try
        {
            return JsonSerializer.Deserialize<BackupManifest>(stream, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The first line of SQLite's <c>PRAGMA integrity_check</c> on <paramref name="file"/>: "ok" when the file is sound.</summary>
    public static string IntegrityCheck(string file)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check(1)";
            return command.ExecuteScalar() as string ?? "no answer";
        }
        catch (SqliteException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// What the store's data looks like, to tell whether a database changed after a backup: the row counts of customers,
    /// addresses and orders and the latest change to each. Bookkeeping (the Backups table, settings, health probes) is
    /// left out, so a backup's own record does not count as a change.
    /// </summary>
    public static async Task<string> DataMarkAsync(string sqliteFile, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqliteFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT group_concat("Name" || '=' || "Count", ';') FROM (SELECT * FROM "RowCounts" ORDER BY "Name"))
                || ';customers@' || coalesce((SELECT max("UpdatedAt") FROM "Customers"), '')
                || ';addresses@' || coalesce((SELECT max("UpdatedAt") FROM "Addresses"), '')
                || ';orders@' || coalesce((SELECT max("UpdatedAt") FROM "Orders"), '')
            """;
        return await command.ExecuteScalarAsync(ct) as string ?? "";
    }

    /// <summary>
    /// Runs <c>pg_dump</c> or <c>pg_restore</c> (from <paramref name="binFolder"/>, PATH, or the newest
    /// <c>/usr/lib/postgresql/*/bin</c>) against the database of <paramref name="connectionString"/>; the password goes
    /// through the environment, never the command line.
    /// </summary>
    public static async Task RunPostgresToolAsync(string tool, string? binFolder, string connectionString, IEnumerable<string> arguments, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(FindPostgresTool(tool, binFolder))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.ArgumentList.Add("--dbname=" + builder.Database);
        start.Environment["PGHOST"] = builder.Host;
        start.Environment["PGPORT"] = builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = builder.Username;
        if (!string.IsNullOrEmpty(builder.Password))
        {
            start.Environment["PGPASSWORD"] = builder.Password;
        }
        // The connection's TLS settings too, so the tools connect as securely as the app does.
        start.Environment["PGSSLMODE"] = builder.SslMode switch
        {
            SslMode.Disable => "disable",
            SslMode.Allow => "allow",
            SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca",
            SslMode.VerifyFull => "verify-full",
            _ => "prefer",
        };
        if (!string.IsNullOrEmpty(builder.RootCertificate))
        {
            start.Environment["PGSSLROOTCERT"] = builder.RootCertificate;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        // Stopped with the app: no orphaned dump left running.
        await using var kill = ct.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        });
        var errors = process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);
        ct.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            var message = (await errors).Trim();
            throw new InvalidOperationException($"{tool} failed (exit {process.ExitCode}): {(message.Length > 600 ? message[..600] + "…" : message)}");
        }
    }

    private static string FindPostgresTool(string tool, string? binFolder)
    {
        if (!string.IsNullOrWhiteSpace(binFolder))
        {
            return Path.Combine(binFolder, tool);
        }
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, tool)).FirstOrDefault(File.Exists);
        if (onPath is not null)
        {
            return onPath;
        }
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", tool)).Where(File.Exists)
                .OrderByDescending(p => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(p))), out var v) ? v : 0).FirstOrDefault()
            : null;
        return debian ?? throw new InvalidOperationException(
            $"{tool} was not found: install PostgreSQL's client tools (Debian: apt-get install postgresql-client) or set Backup__PostgresBin to their folder.");
    }
}
