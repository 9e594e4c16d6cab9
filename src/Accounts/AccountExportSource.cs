using System.Runtime.CompilerServices;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Exports;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

/// <summary>
/// Accounts as the accounts list filters them (or ticked ones), newest first: their fields, tags by name, members
/// (CSV: a count and their emails; JSON Lines: each member), and the accounts flow's custom fields by slug.
/// </summary>
public sealed class AccountExportSource(IDbContextFactory<AppDbContext> dbFactory, AccountService accounts, CustomFieldValues customFields) : IExportSource
{
    public static readonly string[] Columns =
        ["id", "name", "legal_name", "registration_id", "external_ref", "parent_id", "account_tags", "created_at", "updated_at"];

    public static readonly string[] MemberColumns = ["member_count", "member_emails"];

    private const int Chunk = 1000;

    public ExportKind Kind => ExportKind.Accounts;

    public Task ValidateAsync(ExportRequest request, CancellationToken ct)
    {
        AccountService.Schema.Parse(request.Filter);
        return Task.CompletedTask;
    }

    public async Task<int> CountAsync(ExportJob job, CancellationToken ct) =>
        job.IdList?.Count ?? (await accounts.ListAsync(Access.SystemAdmin(job.OwnerName), new AccountQuery(job.Filter, null, 0, 1), ct)).Total;

    public async Task<IReadOnlyList<string>> ColumnsAsync(ExportFormat format, CancellationToken ct) =>
    [
        .. Columns, .. (await customFields.EnabledFieldsAsync(Flow.Accounts, ct)).Select(f => f.Slug),
        .. format == ExportFormat.Csv ? MemberColumns : Array.Empty<string>(),
    ];

    public async IAsyncEnumerable<ExportRow> RowsAsync(ExportJob job, [EnumeratorCancellation] CancellationToken ct)
    {
        var fields = await customFields.EnabledFieldsAsync(Flow.Accounts, ct);
        var csv = job.Format == ExportFormat.Csv;
        await foreach (var chunk in accounts.ReadAsync(Access.SystemAdmin(job.OwnerName), job.Filter, job.IdList, ct).InChunks(Chunk, ct))
        {
            foreach (var row in await RowsOfAsync(chunk, fields, csv, ct))
            {
                yield return row;
            }
        }
    }

    private async Task<List<ExportRow>> RowsOfAsync(List<ShopperAccount> chunk, IReadOnlyList<FieldDefinition> fields, bool csv, CancellationToken ct)
    {
        var ids = chunk.Select(a => a.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var tags = (await (from l in db.AccountTagLinks.AsNoTracking()
                           join t in db.AccountTags.AsNoTracking() on l.TagId equals t.Id
                           where ids.Contains(l.AccountId)
                           select new { l.AccountId, t.Name }).ToListAsync(ct))
            .ToLookup(x => x.AccountId, x => x.Name);
        var members = (await (from m in db.AccountMemberships.AsNoTracking()
                              join p in db.AccountMembers.AsNoTracking() on m.MemberId equals p.Id
                              where ids.Contains(m.AccountId)
                              orderby m.CreatedAt, m.Id
                              select new { m.AccountId, p.Id, p.Name, p.Email }).ToListAsync(ct))
            .ToLookup(x => x.AccountId);
        var rows = new List<ExportRow>(chunk.Count);
        foreach (var a in chunk)
        {
            var values = new List<object?>
            {
                a.Id.ToString(), a.Name, a.LegalName, a.RegistrationId, a.ExternalRef, a.ParentId?.ToString(),
                string.Join("; ", tags[a.Id].Order(StringComparer.OrdinalIgnoreCase)), a.CreatedAt, a.UpdatedAt,
            };
            if (fields.Count > 0)
            {
                var custom = CustomFieldsEditor.ValuesOf(fields, a.CustomData);
                values.AddRange(fields.Select(f => (object?)custom.GetValueOrDefault(f.Slug)));
            }
            var own = members[a.Id].ToList();
            if (csv)
            {
                values.Add(own.Count);
                values.Add(string.Join("; ", own.Select(m => m.Email)));
            }
            rows.Add(new ExportRow(values.ToArray(), csv ? null :
                [("members", own.Select(m => (IReadOnlyList<(string, object?)>)[("id", m.Id.ToString()), ("name", m.Name), ("email", m.Email)]).ToList())]));
        }
        return rows;
    }
}
