using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.History;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Sylvan.Data.Csv;

namespace CommerceManager.DataTransfer;

/// <summary>
/// Runs imports one at a time on every instance, oldest first, claimed like exports. Rows go in batches of
/// <see cref="BatchSize"/>: each batch's customers, addresses, refused rows and the job's counters are one
/// transaction, so a crash loses at most the batch in flight, and the import resumes after the last whole batch
/// (a job whose runner stopped reporting is taken over). Every row is checked by the validators the console and API
/// use; a refused row is recorded (row, column, message) and the import goes on.
/// </summary>
public sealed partial class ImportRunner(
    IDbContextFactory<AppDbContext> dbFactory,
    ImportService imports,
    CustomFieldValues customFields,
    FieldDesigner designer,
    IHttpClientFactory httpClients,
    IValidator<CustomerInput> customerValidator,
    IValidator<AddressInput> addressValidator,
    SqlDialect dialect,
    Microsoft.Extensions.Options.IOptions<ImportSettings> settings,
    TimeProvider clock,
    Common.AppMetrics metrics,
    ILogger<ImportRunner> logger) : QueueRunner<ImportJob>(clock, metrics, logger)
{
    public const int BatchSize = 1000;


    protected override string Kind => "import";

    protected override void Listen(Action wakeUp, bool subscribe)
    {
        if (subscribe)
        {
            imports.Queued += wakeUp;
        }
        else
        {
            imports.Queued -= wakeUp;
        }
    }

    /// <summary>Takes the oldest waiting (or orphaned) import, or null. A taken-over import keeps its counters: it resumes.</summary>
    public override async Task<ImportJob?> ClaimAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ClaimNextAsync(db, (s, now) => s.SetProperty(j => j.StartedAt, j => j.StartedAt ?? now), ct);
    }

    private sealed class JobStoppedException : Exception;

    /// <summary>Goes through the file from the job's last whole batch to its end (or to a stop).</summary>
    public override async Task RunAsync(ImportJob job, CancellationToken stopping)
    {
        // What an import writes is the system's, on behalf of the staff member who started it (their id, so their own
        // list of changes includes it).
        using var actor = ChangeContext.Use(new ChangeActor(ActorKinds.System, job.OwnerId, job.OwnerName, ChangeActor.Import));
        if (job.Source == ImportSource.ElasticPath)
        {
            await RunFromSourceAsync(job, stopping);
            return;
        }
        await RunFileAsync(job, stopping);
        if (!job.DryRun && !stopping.IsCancellationRequested)
        {
            // The import has ended: the uploaded file (customers' personal data) goes now, not in a week.
            await ForgetUploadAsync(job.FileId, CancellationToken.None);
        }
    }

    protected override Task HousekeepAsync(CancellationToken ct) => CleanUpAsync(ct);

    /// <summary>How long an upload that no import ever used is kept.</summary>
    public static readonly TimeSpan UnusedUploadLifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// Expired imports (<c>Imports__KeepDays</c>) go with their refused rows and their file; uploads that no import
    /// used go after a day. Runs hourly beside the queue.
    /// </summary>
    public async Task CleanUpAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Clock.GetUtcNow().UtcDateTime;
        var expired = await db.ImportJobs.Where(j => j.ExpiresAt < now && j.Status != JobStatus.Pending && j.Status != JobStatus.Started)
            .Select(j => new { j.Id, j.FileId }).ToListAsync(ct);
        if (expired.Count > 0)
        {
            var ids = expired.Select(j => j.Id).ToList();
            await db.ImportRowErrors.Where(e => ids.Contains(e.JobId)).ExecuteDeleteAsync(ct);
            await db.ImportJobs.Where(j => ids.Contains(j.Id)).ExecuteDeleteAsync(ct);
            foreach (var fileId in expired.Select(j => j.FileId).Distinct())
            {
                await ForgetUploadAsync(fileId, ct);
            }
            logger.LogInformation("Deleted {Count} expired imports with their refused rows and files.", expired.Count);
        }
        if (!Directory.Exists(imports.Folder))
        {
            return;
        }
        var used = (await db.ImportJobs.Select(j => j.FileId).Distinct().ToListAsync(ct)).ToHashSet();
        foreach (var path in Directory.EnumerateFiles(imports.Folder, "*.csv"))
        {
            if (Guid.TryParseExact(Path.GetFileNameWithoutExtension(path), "N", out var fileId) && !used.Contains(fileId)
                && File.GetLastWriteTimeUtc(path) < now - UnusedUploadLifetime)
            {
                TryDelete(path);
            }
        }
    }

    /// <summary>Deletes an uploaded file unless an import still waiting or running reads it.</summary>
    private async Task ForgetUploadAsync(Guid fileId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.ImportJobs.AnyAsync(j => j.FileId == fileId && (j.Status == JobStatus.Pending || j.Status == JobStatus.Started), ct))
        {
            TryDelete(imports.PathOf(fileId));
        }
    }


    private async Task RunFileAsync(ImportJob job, CancellationToken stopping)
    {
        try
        {
            var mapping = JsonSerializer.Deserialize<Dictionary<string, string>>(job.Mapping) ?? [];
            var fields = await customFields.EnabledFieldsAsync(Flow.Customers, stopping);
            await using var reader = await CsvDataReader.CreateAsync(imports.PathOf(job.FileId), ImportService.ReaderOptions);
            var headers = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var targets = headers.Select(h => mapping.GetValueOrDefault(h, ImportTargets.Ignore)).ToArray();
            var row = 0;
            // Resume: the rows of batches already committed are passed over.
            while (row < job.RowsDone && await reader.ReadAsync(stopping))
            {
                row++;
            }
            var seen = job.DryRun ? new HashSet<string>(StringComparer.Ordinal) : null;
            // One connection for the whole run, with the settings a long write wants (and back as they were after).
            await using var db = await dbFactory.CreateDbContextAsync(stopping);
            await db.Database.OpenConnectionAsync(stopping);
            var connection = db.Database.GetDbConnection();
            await dialect.BeginLongWriteAsync(connection, stopping);
            var paused = !job.DryRun && job.RowsTotal - job.RowsDone >= settings.Value.PauseSearchIndexFrom;
            if (paused)
            {
                await dialect.PauseDerivedIndexesAsync(db, stopping);
            }
            var batch = new List<(int Row, string[] Cells)>(BatchSize);
            string? stoppedAt = null;
            try
            {
                while (stoppedAt is null)
                {
                    batch.Clear();
                    while (batch.Count < BatchSize && await reader.ReadAsync(stopping))
                    {
                        row++;
                        batch.Add((row, ImportService.CellsOf(reader, headers.Count)));
                    }
                    if (batch.Count == 0)
                    {
                        break;
                    }
                    stoppedAt = await ImportBatchAsync(db, job, headers, targets, fields, batch, seen, stopping);
                }
            }
            finally
            {
                await dialect.EndLongWriteAsync(connection, CancellationToken.None);
                if (paused)
                {
                    // Puts the triggers back and rebuilds the index from the table (start-up does the same after a crash).
                    await dialect.AfterMigrateAsync(db, CancellationToken.None);
                }
            }
            await FinishAsync(job.Id, stoppedAt is null ? JobStatus.Success : JobStatus.Failed, stoppedAt, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The app is stopping: the job stays STARTED, goes quiet, and resumes from its last batch.
        }
        catch (JobStoppedException)
        {
            await FinishAsync(job.Id, JobStatus.Failed, null, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Import {Job} failed", job.Id);
            await FinishAsync(job.Id, JobStatus.Failed, "An unexpected error stopped the import; it is in the server log. The rows before it stay imported.", CancellationToken.None);
        }
    }

    /// <summary>Why the address of a row that updated an existing customer was not added.</summary>
    public const string AddressNotAddedExisting = "the customer existed, so only its own fields were updated (add the address on its page)";

    /// <summary>One row read into what it means: the customer, maybe an address, or why it cannot be imported.</summary>
    /// <param name="AddressErrors">Why the row's address cannot be added: the customer is still imported, without it.</param>
    private sealed record ParsedRow(int Row, string[] Cells, CustomerInput Customer, AddressInput? Address, Dictionary<string, JsonNode?> Custom,
        List<(string? Column, string Message)> Errors, List<(string? Column, string Message)> AddressErrors);

    /// <summary>Checks and writes one batch in one transaction; returns why the import stopped at a row, or null to go on.</summary>
    private async Task<string?> ImportBatchAsync(AppDbContext db, ImportJob job, List<string> headers, string[] targets, IReadOnlyList<FieldDefinition> fields,
        List<(int Row, string[] Cells)> batch, HashSet<string>? seen, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryBatchAsync(db, job, headers, targets, fields, batch, seen, ct);
            }
            catch (Exception ex) when (DbErrors.IsUniqueViolation(ex) && attempt < 3)
            {
                // Someone created one of these emails meanwhile: read the existing ones again and redo the batch.
            }
        }
    }

    private async Task<string?> TryBatchAsync(AppDbContext db, ImportJob job, List<string> headers, string[] targets, IReadOnlyList<FieldDefinition> fields,
        List<(int Row, string[] Cells)> batch, HashSet<string>? seen, CancellationToken ct)
    {
        var parsed = new List<ParsedRow>(batch.Count);
        foreach (var (row, cells) in batch)
        {
            parsed.Add(await ParseAsync(row, cells, headers, targets, fields, ct));
        }
        db.ChangeTracker.Clear();
        var emails = parsed.Where(p => p.Errors.Count == 0).Select(p => Customer.Normalize(p.Customer.Email)).Distinct().ToList();
        var existing = await db.Customers.Where(c => emails.Contains(c.NormalizedEmail)).ToDictionaryAsync(c => c.NormalizedEmail, ct);
        var now = Clock.GetUtcNow().UtcDateTime;
        var inFile = new Dictionary<string, int>(StringComparer.Ordinal);
        int created = 0, updated = 0, skipped = 0, failed = 0, done = 0;
        string? stoppedAt = null;
        var errors = new List<ImportRowError>();
        var newCustomers = new List<Customer>();
        var newAddresses = new List<Address>();
        foreach (var p in parsed)
        {
            var email = Customer.Normalize(p.Customer.Email);
            if (p.Errors.Count == 0)
            {
                if (inFile.TryGetValue(email, out var firstRow) || (seen is not null && !existing.ContainsKey(email) && !seen.Add(email)))
                {
                    p.Errors.Add((HeaderOf(headers, targets, ImportTargets.Email), firstRow > 0 ? $"The same email is on row {firstRow:N0} of this file." : "The same email is on an earlier row of this file."));
                }
                else if (existing.TryGetValue(email, out var customer))
                {
                    if (job.OnExisting == ExistingEmail.Stop)
                    {
                        p.Errors.Add((HeaderOf(headers, targets, ImportTargets.Email), "This email is already a customer's."));
                        stoppedAt = $"Stopped at line {p.Row + 1:N0}: {p.Customer.Email} is already a customer's email (choose skip or update to go on). The rows before it were {(job.DryRun ? "checked" : "imported")}.";
                    }
                    else if (job.OnExisting == ExistingEmail.Skip)
                    {
                        skipped++;
                    }
                    else
                    {
                        try
                        {
                            var custom = await customFields.MergeAsync(Flow.Customers, customer.CustomData, p.Custom, creating: false, ct);
                            if (!job.DryRun)
                            {
                                customer.SetName(p.Customer.Name);
                                if (targets.Contains(ImportTargets.ExternalRef))
                                {
                                    customer.ExternalRef = string.IsNullOrWhiteSpace(p.Customer.ExternalRef) ? null : p.Customer.ExternalRef.Trim();
                                }
                                customer.CustomData = custom;
                                customer.UpdatedAt = now;
                                customer.Version = Guid.NewGuid();
                            }
                            updated++;
                            // An update changes the customer's own fields; the row's address is not added to them, and says so.
                            if (p.Address is not null && p.AddressErrors.Count == 0)
                            {
                                p.AddressErrors.Add((null, AddressNotAddedExisting));
                            }
                        }
                        catch (ValidationException ex)
                        {
                            p.Errors.AddRange(ex.Errors.Select(e => (ColumnOf(headers, targets, e.PropertyName), e.ErrorMessage)));
                        }
                    }
                }
                else
                {
                    try
                    {
                        var custom = await customFields.MergeAsync(Flow.Customers, null, p.Custom, creating: true, ct);
                        if (!job.DryRun)
                        {
                            var added = new Customer { Id = Guid.CreateVersion7(), CreatedAt = now, UpdatedAt = now, Version = Guid.NewGuid(), CustomData = custom };
                            added.SetName(p.Customer.Name);
                            added.SetEmail(p.Customer.Email);
                            added.ExternalRef = string.IsNullOrWhiteSpace(p.Customer.ExternalRef) ? null : p.Customer.ExternalRef.Trim();
                            newCustomers.Add(added);
                            if (p.Address is { } address && p.AddressErrors.Count == 0)
                            {
                                var postal = address.ToPostal();
                                postal.County ??= "";
                                newAddresses.Add(new Address
                                {
                                    Id = Guid.CreateVersion7(), CustomerId = added.Id, Name = AddressInput.Clean(address.Name), Postal = postal,
                                    CreatedAt = now, UpdatedAt = now, Version = Guid.NewGuid(),
                                });
                            }
                        }
                        inFile[email] = p.Row;
                        created++;
                    }
                    catch (ValidationException ex)
                    {
                        p.Errors.AddRange(ex.Errors.Select(e => (ColumnOf(headers, targets, e.PropertyName), e.ErrorMessage)));
                    }
                }
            }
            if (p.Errors.Count > 0)
            {
                failed++;
                var values = JsonSerializer.Serialize(p.Cells);
                errors.AddRange(p.Errors.Select(e => new ImportRowError { JobId = job.Id, Row = p.Row, Column = e.Column, Message = Truncate(e.Message, 1024), Values = values }));
            }
            else if (p.AddressErrors.Count > 0 && p.Address is not null)
            {
                // The customer is imported (or updated, or skipped) all the same; the address is listed with why it was not added.
                var values = JsonSerializer.Serialize(p.Cells);
                errors.AddRange(p.AddressErrors.Select(e => new ImportRowError
                {
                    JobId = job.Id, Row = p.Row, Column = e.Column, Message = Truncate($"Address not added: {e.Message}", 1024), Values = values,
                }));
            }
            done++;
            if (stoppedAt is not null)
            {
                break;
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await InsertAsync(db, transaction.GetDbTransaction(), newCustomers, newAddresses, ct);
        db.ImportRowErrors.AddRange(errors);
        await db.SaveChangesAsync(ct);
        var owned = await db.ImportJobs.Where(j => j.Id == job.Id && j.RunnerId == RunnerId && !j.CancelRequested)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.RowsDone, j => j.RowsDone + done).SetProperty(j => j.Created, j => j.Created + created)
                .SetProperty(j => j.Updated, j => j.Updated + updated).SetProperty(j => j.Skipped, j => j.Skipped + skipped)
                .SetProperty(j => j.FailedRows, j => j.FailedRows + failed).SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.UpdatedAt, now), ct);
        if (owned == 0)
        {
            // Stopped, or taken over by another instance: this batch is not ours to write.
            await transaction.RollbackAsync(ct);
            throw new JobStoppedException();
        }
        await transaction.CommitAsync(ct);
        return stoppedAt;
    }

    /// <summary>New customers and their addresses through the provider's bulk path (prepared inserts on SQLite, binary COPY on PostgreSQL).</summary>
    private async Task InsertAsync(AppDbContext db, System.Data.Common.DbTransaction transaction, List<Customer> customers, List<Address> addresses, CancellationToken ct)
    {
        // The bulk path bypasses the change tracker: each new customer's creation is recorded here, in the same transaction.
        var addressCounts = addresses.CountBy(a => a.CustomerId).ToDictionary();
        foreach (var c in customers)
        {
            var delta = new Dictionary<string, (string?, string?)> { ["name"] = (null, c.Name), ["email"] = (null, c.Email) };
            if (c.ExternalRef is not null)
            {
                delta["external_ref"] = (null, c.ExternalRef);
            }
            if (addressCounts.GetValueOrDefault(c.Id) is > 0 and var n)
            {
                delta["addresses"] = (null, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            db.RecordChange(c.Id, "customer", c.Id, ChangeKinds.Details, ChangeActions.Created, c.Name, delta);
        }
        var connection = db.Database.GetDbConnection();
        object Stored(object value) => dialect.StoredValue(value);
        object Time(DateTime utc) => dialect.StoredValue(Common.Clock.Truncate(utc));
        if (customers.Count > 0)
        {
            await using var writer = dialect.OpenBulkWriter(connection, transaction, db.Model.FindEntityType(typeof(Customer))!.GetTableName()!,
                ["Id", "Name", "NormalizedName", "Email", "NormalizedEmail", "EmailShared", "PasswordHash", "ExternalRef", "CreatedAt", "UpdatedAt", "Version", "CustomData"]);
            foreach (var c in customers)
            {
                await writer.RowAsync(ct, Stored(c.Id), c.Name, c.NormalizedName, c.Email, c.NormalizedEmail, false, null, c.ExternalRef,
                    Time(c.CreatedAt), Time(c.UpdatedAt), Stored(c.Version), c.CustomData);
            }
            await writer.CompleteAsync(ct);
        }
        if (addresses.Count > 0)
        {
            await using var writer = dialect.OpenBulkWriter(connection, transaction, db.Model.FindEntityType(typeof(Address))!.GetTableName()!,
                ["Id", "CustomerId", "Name", "FirstName", "LastName", "CompanyName", "Line1", "Line2", "City", "Region", "Postcode",
                    "County", "Country", "PhoneNumber", "Instructions", "CreatedAt", "UpdatedAt", "Version"]);
            foreach (var a in addresses)
            {
                var p = a.Postal;
                await writer.RowAsync(ct, Stored(a.Id), Stored(a.CustomerId), a.Name, p.FirstName, p.LastName, p.CompanyName, p.Line1, p.Line2, p.City, p.Region,
                    p.Postcode, p.County, p.Country, p.PhoneNumber, p.Instructions, Time(a.CreatedAt), Time(a.UpdatedAt), Stored(a.Version));
            }
            await writer.CompleteAsync(ct);
        }
    }

    private async Task<ParsedRow> ParseAsync(int row, string[] cells, List<string> headers, string[] targets, IReadOnlyList<FieldDefinition> fields, CancellationToken ct)
    {
        string? Cell(string target)
        {
            var i = Array.IndexOf(targets, target);
            return i < 0 ? null : cells[i].Trim();
        }
        var errors = new List<(string? Column, string Message)>();
        var first = Cell(ImportTargets.FirstName);
        var last = Cell(ImportTargets.LastName);
        var name = Cell(ImportTargets.Name);
        if (string.IsNullOrEmpty(name))
        {
            name = string.Join(' ', new[] { first, last }.Where(s => !string.IsNullOrEmpty(s)));
        }
        var input = new CustomerInput { Name = name, Email = Cell(ImportTargets.Email) ?? "", ExternalRef = ImportTargets.Reference(Cell(ImportTargets.ExternalRef)) };
        var custom = new Dictionary<string, JsonNode?>();
        for (var i = 0; i < targets.Length; i++)
        {
            if (!targets[i].StartsWith(ImportTargets.CustomPrefix, StringComparison.Ordinal) || string.IsNullOrWhiteSpace(cells[i]))
            {
                continue;
            }
            var slug = targets[i][ImportTargets.CustomPrefix.Length..];
            if (fields.FirstOrDefault(f => f.Slug == slug) is not { } field)
            {
                continue;
            }
            if (Typed(field.Type, cells[i].Trim()) is { } value)
            {
                custom[slug] = value;
            }
            else
            {
                errors.Add((headers[i], $"{field.Name} must be {TypeWord(field.Type)}, not “{cells[i].Trim()}”."));
            }
        }
        var result = await customerValidator.ValidateAsync(input, ct);
        errors.AddRange(result.Errors.Select(e => (ColumnOf(headers, targets, e.PropertyName), e.ErrorMessage)));

        AddressInput? address = null;
        var addressErrors = new List<(string? Column, string Message)>();
        if (targets.Any(t => t.StartsWith(ImportTargets.AddressPrefix, StringComparison.Ordinal))
            && targets.Select((t, i) => (t, i)).Any(x => x.t.StartsWith(ImportTargets.AddressPrefix, StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(cells[x.i])))
        {
            var (nameFirst, nameLast) = SplitName(name);
            address = new AddressInput
            {
                Name = Cell(ImportTargets.AddressPrefix + "name"),
                FirstName = Cell(ImportTargets.AddressPrefix + "first_name").OrIfEmpty(first).OrIfEmpty(nameFirst),
                LastName = Cell(ImportTargets.AddressPrefix + "last_name").OrIfEmpty(last).OrIfEmpty(nameLast),
                CompanyName = Cell(ImportTargets.AddressPrefix + "company_name"),
                Line1 = Cell(ImportTargets.AddressPrefix + "line_1"),
                Line2 = Cell(ImportTargets.AddressPrefix + "line_2"),
                City = Cell(ImportTargets.AddressPrefix + "city"),
                Region = Cell(ImportTargets.AddressPrefix + "region"),
                // EP requires a county; a file with a state or province and no county (Shopify, WooCommerce, Magento) gives it that.
                County = Cell(ImportTargets.AddressPrefix + "county").OrIfEmpty(Cell(ImportTargets.AddressPrefix + "region")),
                Postcode = Cell(ImportTargets.AddressPrefix + "postcode"),
                Country = ImportTargets.Country(Cell(ImportTargets.AddressPrefix + "country")),
                PhoneNumber = Cell(ImportTargets.AddressPrefix + "phone_number"),
                Instructions = Cell(ImportTargets.AddressPrefix + "instructions"),
            };
            var checkedAddress = await addressValidator.ValidateAsync(address, ct);
            addressErrors.AddRange(checkedAddress.Errors.Select(e => (HeaderOf(headers, targets, ImportTargets.AddressPrefix + ApiName(e.PropertyName)), e.ErrorMessage)));
        }
        return new ParsedRow(row, cells, input, address, custom, errors, addressErrors);
    }

    private static (string First, string Last) SplitName(string name)
    {
        var space = name.Trim().IndexOf(' ');
        return space < 0 ? (name.Trim(), "") : (name[..space].Trim(), name[(space + 1)..].Trim());
    }

    /// <summary>A cell as the custom field's JSON value, or null when it is not one.</summary>
    private static JsonNode? Typed(FieldType type, string text) => type switch
    {
        FieldType.Integer => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n) : null,
        FieldType.Float => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? JsonValue.Create(d) : null,
        FieldType.Boolean => text.ToLowerInvariant() switch
        {
            "true" or "yes" or "1" or "y" => JsonValue.Create(true),
            "false" or "no" or "0" or "n" => JsonValue.Create(false),
            _ => null,
        },
        _ => JsonValue.Create(text),
    };

    private static string TypeWord(FieldType type) => type switch
    {
        FieldType.Integer => "a whole number",
        FieldType.Float => "a number",
        FieldType.Boolean => "true or false",
        _ => "text",
    };

    /// <summary>The header of the column a validator's property came from.</summary>
    private static string? ColumnOf(List<string> headers, string[] targets, string property) => property switch
    {
        nameof(CustomerInput.Name) => HeaderOf(headers, targets, ImportTargets.Name) ?? HeaderOf(headers, targets, ImportTargets.FirstName),
        nameof(CustomerInput.Email) => HeaderOf(headers, targets, ImportTargets.Email),
        nameof(CustomerInput.ExternalRef) => HeaderOf(headers, targets, ImportTargets.ExternalRef),
        _ when property.StartsWith(CustomFieldValues.SourcePrefix, StringComparison.Ordinal) =>
            HeaderOf(headers, targets, ImportTargets.CustomPrefix + property[CustomFieldValues.SourcePrefix.Length..]),
        _ => null,
    };

    private static string? HeaderOf(List<string> headers, string[] targets, string target)
    {
        var i = Array.IndexOf(targets, target);
        return i < 0 ? null : headers[i];
    }

    /// <summary>Line1 → line_1, PhoneNumber → phone_number: the address target names.</summary>
    private static string ApiName(string property) => property switch
    {
        "Line1" => "line_1",
        "Line2" => "line_2",
        _ => string.Concat(property.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString())),
    };

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private async Task FinishAsync(Guid id, JobStatus status, string? error, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = Clock.GetUtcNow().UtcDateTime;
        var mine = db.ImportJobs.Where(j => j.Id == id && j.RunnerId == RunnerId && j.Status == JobStatus.Started);
        if (error is null)
        {
            await mine.ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, status).SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now)
                .SetProperty(j => j.SourceSecret, (string?)null), ct);
        }
        else
        {
            await mine.ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, status).SetProperty(j => j.Error, error)
                .SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now).SetProperty(j => j.SourceSecret, (string?)null), ct);
        }
    }
}

internal static class TextExtensions
{
    public static string? OrIfEmpty(this string? value, string? fallback) => string.IsNullOrWhiteSpace(value) ? fallback : value;
}

/// <summary><c>Imports__PauseSearchIndexFrom</c>.</summary>
public sealed class ImportSettings
{
    /// <summary>
    /// From this many rows left to import, SQLite's substring index is paused for the run and rebuilt once at its end:
    /// keeping it in step row by row slows a large load down more and more as the index grows (see
    /// docs/decisions/0004-fts5-creation-ordered-index.md). Until the rebuild, contains-searches do not find the new
    /// customers.
    /// </summary>
    public int PauseSearchIndexFrom { get; set; } = 50_000;

    /// <summary>Lets an Elastic Path import reach a loopback or private address (a lab, or the tests' second instance); off by default.</summary>
    public bool AllowPrivateSources { get; set; }

    /// <summary>How long one request to an Elastic Path store may take.</summary>
    public int SourceTimeoutSeconds { get; set; } = 60;
}
