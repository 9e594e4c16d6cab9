using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Security;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.DataTransfer;

/// <summary>
/// Imports from a live Elastic Path store: first the customers and addresses flows' fields that are not here yet, then
/// customers a page (100) at a time with all their addresses and custom values. Each page is one transaction together
/// with the job's counters and its cursor (the last customer id read), so an import stopped by a restart goes on from
/// the next page and imports nobody twice. Ids and timestamps are kept; a customer whose id or email is already here is
/// skipped. Passwords cannot be read from EP: customers who had one are counted for the result page.
/// </summary>
public sealed partial class ImportRunner
{
    public const string SourceHttpClient = "elastic-path";

    /// <summary>The customer attributes that are EP's own, not custom fields.</summary>
    private static readonly HashSet<string> CustomerAttributes = ["type", "id", "name", "email", "password", "external_ref", "authentication_mechanism", "meta", "links", "relationships"];

    private static readonly HashSet<string> AddressAttributes = ["type", "id", "name", "first_name", "last_name", "company_name", "line_1", "line_2", "city", "region",
        "postcode", "county", "country", "phone_number", "instructions", "meta", "links", "relationships"];

    private async Task RunFromSourceAsync(ImportJob job, CancellationToken stopping)
    {
        try
        {
            var source = new ElasticPathSource(httpClients.CreateClient(SourceHttpClient), new Uri(job.SourceUrl!), job.SourceClientId ?? "",
                imports.UnprotectSecret(job.SourceSecret), Clock);
            await EnsureFieldsAsync(source, Flow.Customers, stopping);
            await EnsureFieldsAsync(source, Flow.Addresses, stopping);
            var customerFields = await customFields.FieldsAsync(Flow.Customers, stopping);
            var addressFields = await customFields.FieldsAsync(Flow.Addresses, stopping);
            var cursor = job.SourceCursor ?? (await source.CustomersAfterAsync(Guid.Empty.ToString(), stopping) is null ? "offset:0" : "after:");
            while (true)
            {
                SourcePage page;
                string next;
                if (cursor.StartsWith("after:", StringComparison.Ordinal))
                {
                    var after = cursor["after:".Length..];
                    page = await source.CustomersAfterAsync(after.Length == 0 ? null : after, stopping)
                        ?? throw new SourceException("The store stopped answering id-ordered pages; start the import again.");
                    next = page.Records.Count == 0 ? cursor : "after:" + ElasticPathSource.Text(page.Records[^1], "id");
                }
                else
                {
                    var offset = int.Parse(cursor["offset:".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    page = await source.CustomersAtAsync(offset, stopping);
                    next = "offset:" + (offset + page.Records.Count);
                }
                if (page.Records.Count == 0)
                {
                    break;
                }
                var addresses = new Dictionary<string, IReadOnlyList<JsonObject>>();
                foreach (var record in page.Records)
                {
                    if (ElasticPathSource.Text(record, "id") is { } id)
                    {
                        addresses[id] = await source.AddressesAsync(id, stopping);
                    }
                }
                await ImportSourcePageAsync(job, page, addresses, customerFields, addressFields, next, stopping);
                job.RowsDone += page.Records.Count;
                cursor = next;
                if (!page.HasNext)
                {
                    break;
                }
            }
            await FinishAsync(job.Id, JobStatus.Success, null, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The app is stopping: the job stays STARTED and resumes from its cursor.
        }
        catch (JobStoppedException)
        {
            await FinishAsync(job.Id, JobStatus.Failed, null, CancellationToken.None);
        }
        catch (SourceException ex)
        {
            await FinishAsync(job.Id, JobStatus.Failed, $"{ex.Message} The customers imported before that stay; start the import again to go on.", CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Import {Job} from {Source} failed", job.Id, job.SourceUrl);
            await FinishAsync(job.Id, JobStatus.Failed, "An unexpected error stopped the import; it is in the server log. The customers before it stay imported.", CancellationToken.None);
        }
    }

    /// <summary>Creates here the source flow's fields whose slug is not here yet (name, type, rules, default, order as there).</summary>
    private async Task EnsureFieldsAsync(ElasticPathSource source, string flowSlug, CancellationToken ct)
    {
        var system = Access.SystemAdmin("Elastic Path import");
        var flow = await designer.EnsureFlowAsync(system, flowSlug, true, ct);
        var here = (await customFields.FieldsAsync(flowSlug, ct)).Select(f => f.Slug).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var field in (await source.FieldsAsync(flowSlug, ct)).OrderBy(f => f["order"] is JsonValue o && o.TryGetValue<int>(out var n) ? n : int.MaxValue))
        {
            var slug = ElasticPathSource.Text(field, "slug");
            if (slug is null || here.Contains(slug))
            {
                continue;
            }
            var typeName = ElasticPathSource.Text(field, "field_type") ?? "string";
            if (!Enum.TryParse<FieldType>(typeName, ignoreCase: true, out var type) || int.TryParse(typeName, out _))
            {
                throw new SourceException($"The {flowSlug} field '{slug}' has the type '{typeName}', which Commerce Manager does not have (string, integer, boolean, float, date).");
            }
            var problems = new List<string>();
            var input = new FieldInput
            {
                FlowSlug = flowSlug,
                Name = ElasticPathSource.Text(field, "name") ?? slug,
                Slug = slug,
                Description = ElasticPathSource.Text(field, "description") ?? "",
                Type = type,
                Required = field["required"] is JsonValue r && r.TryGetValue<bool>(out var required) && required,
                Enabled = field["enabled"] is not JsonValue e || !e.TryGetValue<bool>(out var enabled) || enabled,
                OmitNull = field["omit_null"] is JsonValue on && on.TryGetValue<bool>(out var omit) && omit,
                CustomerEditable = field["customer_editable"] is JsonValue ce && ce.TryGetValue<bool>(out var editable) && editable,
                Default = field["default"]?.DeepClone(),
                Rules = FieldRulesJson.Read(field["validation_rules"], problems.Add),
            };
            try
            {
                var created = await designer.CreateFieldAsync(system, flow.Id, input, ct);
                if (!created.IsOk)
                {
                    throw new SourceException($"The {flowSlug} field '{slug}' could not be created here.");
                }
            }
            catch (ValidationException ex)
            {
                throw new SourceException($"The {flowSlug} field '{slug}' could not be created here: {string.Join(" ", ex.Errors.Select(e => e.ErrorMessage))}");
            }
        }
    }

    /// <summary>One page of customers with their addresses, the job's counters and its cursor, in one transaction.</summary>
    private async Task ImportSourcePageAsync(ImportJob job, SourcePage page, Dictionary<string, IReadOnlyList<JsonObject>> addressesOf,
        IReadOnlyList<FieldDefinition> customerFields, IReadOnlyList<FieldDefinition> addressFields, string next, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await TrySourcePageAsync(job, page, addressesOf, customerFields, addressFields, next, ct);
                return;
            }
            catch (Exception ex) when (DbErrors.IsUniqueViolation(ex) && attempt < 3)
            {
                // A customer with one of these emails was created meanwhile: look again and redo the page.
            }
        }
    }

    private async Task TrySourcePageAsync(ImportJob job, SourcePage page, Dictionary<string, IReadOnlyList<JsonObject>> addressesOf,
        IReadOnlyList<FieldDefinition> customerFields, IReadOnlyList<FieldDefinition> addressFields, string next, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = page.Records.Select(r => Guid.TryParse(ElasticPathSource.Text(r, "id"), out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
        var emails = page.Records.Select(r => Customer.Normalize(ElasticPathSource.Text(r, "email") ?? "")).ToList();
        var takenIds = (await db.Customers.Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        var takenEmails = (await db.Customers.Where(c => emails.Contains(c.NormalizedEmail)).Select(c => c.NormalizedEmail).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var addressIds = addressesOf.Values.SelectMany(a => a).Select(a => Guid.TryParse(ElasticPathSource.Text(a, "id"), out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
        var takenAddressIds = (await db.Addresses.Where(a => addressIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct)).ToHashSet();
        var now = Clock.GetUtcNow().UtcDateTime;
        int created = 0, skipped = 0, failed = 0, addressesCreated = 0, withPassword = 0;
        var errors = new List<ImportRowError>();
        var row = job.RowsDone;
        foreach (var record in page.Records)
        {
            row++;
            var sourceId = ElasticPathSource.Text(record, "id") ?? "";
            var email = ElasticPathSource.Text(record, "email") ?? "";
            var name = ElasticPathSource.Text(record, "name") ?? "";
            var problems = new List<(string? Column, string Message)>();
            void Refuse(string? column, string message) => problems.Add((column, message));
            if (!Guid.TryParse(sourceId, out var id))
            {
                id = Guid.CreateVersion7();
            }
            if (takenIds.Contains(id) || takenEmails.Contains(Customer.Normalize(email)))
            {
                skipped++;
                continue;
            }
            var input = new CustomerInput { Name = name, Email = email, ExternalRef = ElasticPathSource.Text(record, "external_ref") };
            foreach (var e in (await customerValidator.ValidateAsync(input, ct)).Errors)
            {
                Refuse(ApiName(e.PropertyName), e.ErrorMessage);
            }
            string? custom = null;
            if (problems.Count == 0)
            {
                try
                {
                    custom = await customFields.MergeAsync(Flow.Customers, null, CustomValues(record, customerFields, CustomerAttributes), creating: true, ct);
                }
                catch (ValidationException ex)
                {
                    foreach (var e in ex.Errors)
                    {
                        Refuse(e.PropertyName.Replace(CustomFieldValues.SourcePrefix, ""), e.ErrorMessage);
                    }
                }
            }
            var newAddresses = new List<Address>();
            foreach (var source in addressesOf.GetValueOrDefault(sourceId, []).Take(AddressLimits.PerCustomer))
            {
                var address = new AddressInput
                {
                    Name = ElasticPathSource.Text(source, "name"),
                    FirstName = ElasticPathSource.Text(source, "first_name"),
                    LastName = ElasticPathSource.Text(source, "last_name"),
                    CompanyName = ElasticPathSource.Text(source, "company_name"),
                    Line1 = ElasticPathSource.Text(source, "line_1"),
                    Line2 = ElasticPathSource.Text(source, "line_2"),
                    City = ElasticPathSource.Text(source, "city"),
                    Region = ElasticPathSource.Text(source, "region"),
                    County = ElasticPathSource.Text(source, "county"),
                    Postcode = ElasticPathSource.Text(source, "postcode"),
                    Country = ElasticPathSource.Text(source, "country"),
                    PhoneNumber = ElasticPathSource.Text(source, "phone_number"),
                    Instructions = ElasticPathSource.Text(source, "instructions"),
                };
                var addressId = Guid.TryParse(ElasticPathSource.Text(source, "id"), out var a) && !takenAddressIds.Contains(a) ? a : Guid.CreateVersion7();
                var checkedAddress = await addressValidator.ValidateAsync(address, ct);
                string? addressCustom = null;
                var addressProblems = checkedAddress.Errors.Select(e => (Column: $"address {addressId}: {ApiName(e.PropertyName)}", e.ErrorMessage)).ToList();
                if (addressProblems.Count == 0)
                {
                    try
                    {
                        addressCustom = await customFields.MergeAsync(Flow.Addresses, null, CustomValues(source, addressFields, AddressAttributes), creating: true, ct);
                    }
                    catch (ValidationException ex)
                    {
                        addressProblems.AddRange(ex.Errors.Select(e => (Column: $"address {addressId}: {e.PropertyName.Replace(CustomFieldValues.SourcePrefix, "")}", e.ErrorMessage)));
                    }
                }
                if (addressProblems.Count > 0)
                {
                    problems.AddRange(addressProblems.Select(p => ((string?)p.Column, p.ErrorMessage)));
                    continue;
                }
                var postal = address.ToPostal();
                postal.County ??= "";
                var (addressCreated, addressUpdated) = Timestamps(source, now);
                newAddresses.Add(new Address
                {
                    Id = addressId, CustomerId = id, Name = AddressInput.Clean(address.Name), Postal = postal, CustomData = addressCustom,
                    CreatedAt = addressCreated, UpdatedAt = addressUpdated, Version = Guid.NewGuid(),
                });
            }
            if (problems.Count > 0)
            {
                failed++;
                var values = JsonSerializer.Serialize(new[] { sourceId, email, name });
                errors.AddRange(problems.Select(p => new ImportRowError { JobId = job.Id, Row = row, Column = p.Column, Message = Truncate(p.Message, 1024), Values = values }));
                continue;
            }
            var (createdAt, updatedAt) = Timestamps(record, now);
            var customer = new Customer { Id = id, CreatedAt = createdAt, UpdatedAt = updatedAt, Version = Guid.NewGuid(), CustomData = custom };
            customer.SetName(input.Name);
            customer.SetEmail(input.Email);
            customer.ExternalRef = string.IsNullOrWhiteSpace(input.ExternalRef) ? null : input.ExternalRef.Trim();
            db.Customers.Add(customer);
            db.Addresses.AddRange(newAddresses);
            takenIds.Add(id);
            takenEmails.Add(customer.NormalizedEmail);
            created++;
            addressesCreated += newAddresses.Count;
            if (record["password"] is JsonValue p && p.TryGetValue<bool>(out var hasPassword) && hasPassword)
            {
                withPassword++;
            }
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.ImportRowErrors.AddRange(errors);
        await db.SaveChangesAsync(ct);
        var count = page.Records.Count;
        var owned = await db.ImportJobs.Where(j => j.Id == job.Id && j.RunnerId == RunnerId && !j.CancelRequested)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.RowsDone, j => j.RowsDone + count).SetProperty(j => j.RowsTotal, j => Math.Max(page.Total, j.RowsDone + count))
                .SetProperty(j => j.Created, j => j.Created + created).SetProperty(j => j.Skipped, j => j.Skipped + skipped)
                .SetProperty(j => j.FailedRows, j => j.FailedRows + failed).SetProperty(j => j.AddressesCreated, j => j.AddressesCreated + addressesCreated)
                .SetProperty(j => j.WithPassword, j => j.WithPassword + withPassword).SetProperty(j => j.SourceCursor, next)
                .SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.UpdatedAt, now), ct);
        if (owned == 0)
        {
            await transaction.RollbackAsync(ct);
            throw new JobStoppedException();
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>The record's values for the flow's fields here (by slug), as EP writes them: top-level attributes.</summary>
    private static Dictionary<string, JsonNode?> CustomValues(JsonObject record, IReadOnlyList<FieldDefinition> fields, HashSet<string> own)
    {
        var values = new Dictionary<string, JsonNode?>();
        foreach (var (key, value) in record)
        {
            if (!own.Contains(key) && fields.FirstOrDefault(f => f.Slug == key) is { } field && value is not null)
            {
                values[field.Slug] = value.DeepClone();
            }
        }
        return values;
    }

    /// <summary>EP's <c>meta.timestamps</c>, kept as they were there (now when missing).</summary>
    private static (DateTime Created, DateTime Updated) Timestamps(JsonObject record, DateTime now)
    {
        static DateTime? Read(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s)
            && DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)
            ? Common.Clock.Truncate(t.UtcDateTime) : null;
        var stamps = record["meta"]?["timestamps"];
        var created = Read(stamps?["created_at"]) ?? now;
        return (created, Read(stamps?["updated_at"]) ?? created);
    }
}
