using Microsoft.AspNetCore.DataProtection;
using System.Security.Claims;
using System.Text.Json;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Exports;
using CommerceManager.Security;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sylvan.Data.Csv;

namespace CommerceManager.DataTransfer;

/// <summary>An uploaded file, read far enough to map it: its headers, its first rows, how many rows, and the guessed mapping.</summary>
public sealed record ImportUpload(Guid FileId, string FileName, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Preview, int RowsTotal,
    IReadOnlyDictionary<string, string> Guessed);

/// <summary>
/// Customer imports: upload a CSV, map its columns, check it (a dry run) and import it, in the background
/// (<see cref="ImportRunner"/>). Staff who edit customers may import; they see their own imports, Admins everyone's.
/// </summary>
/// <summary>What an Elastic Path store holds, as a connection check reads it before the import.</summary>
public sealed record SourceSummary(int Customers, IReadOnlyList<string> CustomerFields, IReadOnlyList<string> AddressFields);

public sealed class ImportService(IDbContextFactory<AppDbContext> dbFactory, CustomFieldValues customFields, IOptions<ExportSettings> settings, TimeProvider clock,
    Microsoft.AspNetCore.DataProtection.IDataProtectionProvider protection, IHttpClientFactory httpClients, IOptions<ImportSettings> importSettings)
{
    /// <summary>The store's base URL, over https (plain http only where a lab allows private sources: a client secret travels on it).</summary>
    private Uri SourceUrl(string? baseUrl)
    {
        var url = ElasticPathSource.ParseBaseUrl(baseUrl);
        if (url.Scheme != Uri.UriSchemeHttps && !importSettings.Value.AllowPrivateSources)
        {
            throw new SourceException("Use the store's https address: the client secret would travel unencrypted over http (Imports__AllowPrivateSources allows http for a lab).");
        }
        return url;
    }

    private readonly Microsoft.AspNetCore.DataProtection.IDataProtector secrets = protection.CreateProtector("CommerceManager.ImportSourceSecrets");

    public const int PreviewRows = 5;
    public const long MaxFileBytes = 1024L * 1024 * 1024;

    /// <summary>Raised when an import is queued in this process, so the runner starts at once.</summary>
    public event Action? Queued;

    /// <summary>Uploaded files live in an <c>imports</c> folder beside the exports folder.</summary>
    public string Folder => Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(settings.Value.Folder))!, "imports");

    public string PathOf(Guid fileId) => Path.Combine(Folder, $"{fileId:N}.csv");

    /// <summary>The current row's first <paramref name="count"/> cells as typed (a short row padded with ""; our exports' <c>'</c> taken off).</summary>
    internal static string[] CellsOf(CsvDataReader reader, int count) =>
        Enumerable.Range(0, count).Select(i => i < reader.RowFieldCount ? Common.CsvWriter.Unneutralised(reader.GetString(i)) : "").ToArray();

    internal static CsvDataReaderOptions ReaderOptions => new() { HasHeaders = true, BufferSize = 64 * 1024 };

    /// <summary>Keeps the file and reads what the mapping step needs. A file that is not CSV with a header row is refused.</summary>
    public async Task<ImportUpload> UploadAsync(ClaimsPrincipal user, string fileName, Stream content, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        var fileId = Guid.NewGuid();
        Directory.CreateDirectory(Folder);
        var path = PathOf(fileId);
        await using (var file = new FileStream(path, Common.OwnerOnlyFile.Write(FileMode.CreateNew)))
        {
            await content.CopyToAsync(file, ct);
        }
        try
        {
            if (await IsJsonLinesAsync(fileName, path, ct))
            {
                await JsonLines.ToCsvAsync(path, ct);
            }
            await using var reader = await CsvDataReader.CreateAsync(path, ReaderOptions);
            var headers = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            if (headers.Count == 0 || headers.All(string.IsNullOrWhiteSpace))
            {
                throw new ValidationException([new ValidationFailure("File", "The file has no header row: the first line must name the columns.")]);
            }
            var preview = new List<IReadOnlyList<string>>();
            var rows = 0;
            while (await reader.ReadAsync(ct))
            {
                if (rows++ < PreviewRows)
                {
                    preview.Add(CellsOf(reader, reader.FieldCount));
                }
            }
            var fields = await customFields.EnabledFieldsAsync(Flow.Customers, ct);
            var guessed = new Dictionary<string, string>();
            foreach (var header in headers.Distinct())
            {
                var target = ImportTargets.Guess(header, fields);
                // A target takes one column: the first header that means it.
                if (target != ImportTargets.Ignore && !guessed.ContainsValue(target))
                {
                    guessed[header] = target;
                }
            }
            return new ImportUpload(fileId, Path.GetFileName(fileName), headers, preview, rows, guessed);
        }
        catch (Exception ex) when (ex is not ValidationException and not OperationCanceledException)
        {
            File.Delete(path);
            throw new ValidationException([new ValidationFailure("File", $"The file could not be read as CSV: {ex.Message}")]);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>JSON Lines by its name (.jsonl, .ndjson) or, whatever the name, by a first character that opens an object.</summary>
    private static async Task<bool> IsJsonLinesAsync(string fileName, string path, CancellationToken ct)
    {
        if (fileName.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        var buffer = new char[64];
        var read = await reader.ReadAsync(buffer, ct);
        return buffer.AsSpan(0, read).TrimStart().StartsWith("{");
    }

    /// <summary>Queues an import (or a dry run) of an uploaded file with a mapping: the email must be mapped, and a name (or first and last name).</summary>
    public async Task<ImportJob> StartAsync(ClaimsPrincipal user, ImportUpload upload, IReadOnlyDictionary<string, string> mapping, ExistingEmail onExisting,
        bool dryRun, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        var targets = mapping.Where(m => m.Value != ImportTargets.Ignore).Select(m => m.Value).ToList();
        var failures = new List<ValidationFailure>();
        if (!targets.Contains(ImportTargets.Email))
        {
            failures.Add(new ValidationFailure("Mapping", "Choose the column that holds the email."));
        }
        if (!targets.Contains(ImportTargets.Name) && !targets.Contains(ImportTargets.FirstName) && !targets.Contains(ImportTargets.LastName))
        {
            failures.Add(new ValidationFailure("Mapping", "Choose the column that holds the name (or the first and last name)."));
        }
        foreach (var twice in targets.GroupBy(t => t).Where(g => g.Count() > 1))
        {
            failures.Add(new ValidationFailure("Mapping", $"Two columns go to the same field ({twice.Key}): choose one."));
        }
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
        if (!File.Exists(PathOf(upload.FileId)))
        {
            throw new ValidationException([new ValidationFailure("File", "The uploaded file is no longer here: upload it again.")]);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var job = new ImportJob
        {
            Id = Guid.NewGuid(),
            FileId = upload.FileId,
            FileName = upload.FileName,
            Headers = JsonSerializer.Serialize(upload.Headers),
            Mapping = JsonSerializer.Serialize(mapping.Where(m => m.Value != ImportTargets.Ignore).ToDictionary()),
            OnExisting = onExisting,
            DryRun = dryRun,
            Status = JobStatus.Pending,
            OwnerId = ExportService.OwnerOf(user),
            OwnerName = user.Identity?.Name ?? "system",
            RowsTotal = upload.RowsTotal,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddDays(settings.Value.KeepDays),
        };
        return await QueueAsync(job, ct);
    }

    /// <summary>After a dry run: the real import of the same file with the same mapping and choice.</summary>
    public async Task<ImportJob> ImportCheckedAsync(ClaimsPrincipal user, Guid dryRunId, CancellationToken ct = default)
    {
        var (upload, mapping, onExisting) = await CheckedAsync(user, dryRunId, preview: false, ct);
        return await StartAsync(user, upload, mapping, onExisting, dryRun: false, ct);
    }

    /// <summary>
    /// A check's file, mapping and choice, to change the mapping and check (or import) again without uploading the file
    /// again; with <paramref name="preview"/> the file's first rows are read again for the mapping's samples.
    /// </summary>
    public async Task<(ImportUpload Upload, Dictionary<string, string> Mapping, ExistingEmail OnExisting)> CheckedAsync(ClaimsPrincipal user, Guid dryRunId,
        bool preview = true, CancellationToken ct = default)
    {
        var checkedRun = await GetAsync(user, dryRunId, ct) ?? throw new ValidationException([new ValidationFailure("Import", "There is no such import.")]);
        if (!checkedRun.DryRun || !File.Exists(PathOf(checkedRun.FileId)))
        {
            throw new ValidationException([new ValidationFailure("Import", "This check's file is gone: upload the file again.")]);
        }
        var rows = new List<IReadOnlyList<string>>();
        if (preview)
        {
            await using var reader = await CsvDataReader.CreateAsync(PathOf(checkedRun.FileId), ReaderOptions);
            while (rows.Count < PreviewRows && await reader.ReadAsync(ct))
            {
                rows.Add(CellsOf(reader, reader.FieldCount));
            }
        }
        var upload = new ImportUpload(checkedRun.FileId, checkedRun.FileName, JsonSerializer.Deserialize<List<string>>(checkedRun.Headers) ?? [], rows,
            checkedRun.RowsTotal, new Dictionary<string, string>());
        return (upload, JsonSerializer.Deserialize<Dictionary<string, string>>(checkedRun.Mapping) ?? [], checkedRun.OnExisting);
    }

    /// <summary>Connects to an Elastic Path store with client credentials and says what it holds (Admins: the import creates fields).</summary>
    public async Task<SourceSummary> CheckSourceAsync(ClaimsPrincipal user, string? baseUrl, string? clientId, string? clientSecret, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        var source = Source(baseUrl, clientId, clientSecret);
        var first = await source.CustomersAfterAsync(null, ct) ?? await source.CustomersAtAsync(0, ct);
        var customerFields = await source.FieldsAsync(Flow.Customers, ct);
        var addressFields = await source.FieldsAsync(Flow.Addresses, ct);
        return new SourceSummary(first.Total, [.. customerFields.Select(f => ElasticPathSource.Text(f, "slug") ?? "")],
            [.. addressFields.Select(f => ElasticPathSource.Text(f, "slug") ?? "")]);
    }

    /// <summary>Queues an import of every customer of an Elastic Path store (the secret is kept encrypted until the import ends).</summary>
    public async Task<ImportJob> StartFromSourceAsync(ClaimsPrincipal user, string? baseUrl, string? clientId, string? clientSecret, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        var url = SourceUrl(baseUrl);
        Source(baseUrl, clientId, clientSecret);
        var now = clock.GetUtcNow().UtcDateTime;
        var job = new ImportJob
        {
            Id = Guid.NewGuid(),
            Source = ImportSource.ElasticPath,
            SourceUrl = url.ToString(),
            SourceClientId = clientId!.Trim(),
            SourceSecret = secrets.Protect(clientSecret!.Trim()),
            FileName = $"Elastic Path store at {url.Authority}",
            Headers = JsonSerializer.Serialize(new[] { "id", "email", "name" }),
            OnExisting = ExistingEmail.Skip,
            Status = JobStatus.Pending,
            OwnerId = ExportService.OwnerOf(user),
            OwnerName = user.Identity?.Name ?? "system",
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now.AddDays(settings.Value.KeepDays),
        };
        return await QueueAsync(job, ct);
    }

    private async Task<ImportJob> QueueAsync(ImportJob job, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var max = Math.Max(1, settings.Value.MaxQueuedPerOwner);
        if (await db.ImportJobs.CountAsync(j => j.OwnerId == job.OwnerId && (j.Status == JobStatus.Pending || j.Status == JobStatus.Started), ct) >= max)
        {
            throw new ValidationException([new ValidationFailure("Import", ExportSettings.TooManyQueued("imports", max))]);
        }
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(ct);
        Queued?.Invoke();
        return job;
    }

    private ElasticPathSource Source(string? baseUrl, string? clientId, string? clientSecret)
    {
        var url = SourceUrl(baseUrl);
        if (string.IsNullOrWhiteSpace(clientId) || string.IsNullOrWhiteSpace(clientSecret))
        {
            throw new SourceException("Enter the client id and the client secret of a client credentials key.");
        }
        return new ElasticPathSource(httpClients.CreateClient(ImportRunner.SourceHttpClient), url, clientId.Trim(), clientSecret.Trim(), clock);
    }

    internal string UnprotectSecret(string? protectedSecret)
    {
        try
        {
            return protectedSecret is null ? "" : secrets.Unprotect(protectedSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new SourceException("The client secret can no longer be read (the encryption keys changed): start the import again.");
        }
    }

    public async Task<ImportJob?> GetAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Visible(db.ImportJobs.AsNoTracking(), user).FirstOrDefaultAsync(j => j.Id == id, ct);
    }

    public async Task<List<ImportJob>> ListAsync(ClaimsPrincipal user, int limit = 20, CancellationToken ct = default)
    {
        Access.Require(user, Permission.WriteCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await Visible(db.ImportJobs.AsNoTracking(), user).OrderByDescending(j => j.CreatedAt).Take(limit).ToListAsync(ct);
    }

    /// <summary>The first refused rows, for the result page.</summary>
    public async Task<List<ImportRowError>> ErrorsAsync(ClaimsPrincipal user, Guid id, int limit = 100, CancellationToken ct = default)
    {
        if (await GetAsync(user, id, ct) is null)
        {
            return [];
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ImportRowErrors.AsNoTracking().Where(e => e.JobId == id).OrderBy(e => e.Row).ThenBy(e => e.Id).Take(limit).ToListAsync(ct);
    }

    /// <summary>Every refused row, in file order, streamed (for the failed-rows file).</summary>
    public async IAsyncEnumerable<ImportRowError> AllErrorsAsync(Guid id, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await foreach (var error in db.ImportRowErrors.AsNoTracking().Where(e => e.JobId == id).OrderBy(e => e.Row).ThenBy(e => e.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return error;
        }
    }

    /// <summary>Stops an import between batches: what was imported before stays.</summary>
    public async Task CancelAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        if (await GetAsync(user, id, ct) is not { IsRunning: true })
        {
            return;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var reason = $"Stopped by {user.Identity?.Name ?? "someone"}; the rows before that stay imported.";
        var waiting = await db.ImportJobs.Where(j => j.Id == id && j.Status == JobStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, JobStatus.Failed).SetProperty(j => j.Error, reason).SetProperty(j => j.CancelRequested, true)
                .SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now).SetProperty(j => j.SourceSecret, (string?)null), ct);
        if (waiting == 0)
        {
            await db.ImportJobs.Where(j => j.Id == id && j.Status == JobStatus.Started)
                .ExecuteUpdateAsync(s => s.SetProperty(j => j.CancelRequested, true).SetProperty(j => j.Error, reason), ct);
        }
    }

    private static IQueryable<ImportJob> Visible(IQueryable<ImportJob> jobs, ClaimsPrincipal user)
    {
        if (user.IsInRole(Roles.Admin) || user.IsInRole(Roles.ApiClient))
        {
            return jobs;
        }
        var owner = ExportService.OwnerOf(user);
        return jobs.Where(j => j.OwnerId == owner);
    }
}
