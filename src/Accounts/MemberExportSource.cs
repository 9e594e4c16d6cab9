using System.Runtime.CompilerServices;
using CommerceManager.Data;
using CommerceManager.Exports;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Accounts;

/// <summary>
/// Account members as the Users tab filters them (name or email), newest first: name, email, whether they sign in with a
/// password, with a provider, and the accounts they belong to (CSV: a count and the names; JSON Lines: each account).
/// Never a password hash or a provider's subject.
/// </summary>
public sealed class MemberExportSource(IDbContextFactory<AppDbContext> dbFactory, AccountMemberService members) : IExportSource
{
    public static readonly string[] Columns = ["id", "name", "email", "password_set", "provider_sign_in", "created_at", "updated_at"];

    public static readonly string[] AccountColumns = ["account_count", "account_names"];

    private const int Chunk = 1000;

    public ExportKind Kind => ExportKind.Members;

    public Task ValidateAsync(ExportRequest request, CancellationToken ct)
    {
        AccountMemberService.Schema.Parse(request.Filter);
        return Task.CompletedTask;
    }

    public async Task<int> CountAsync(ExportJob job, CancellationToken ct) =>
        job.IdList?.Count ?? (await members.ListAsync(Access.SystemAdmin(job.OwnerName), new AccountMemberQuery(job.Filter, null, 0, 1), ct)).Total;

    public Task<IReadOnlyList<string>> ColumnsAsync(ExportFormat format, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>(format == ExportFormat.Csv ? [.. Columns, .. AccountColumns] : Columns);

    public async IAsyncEnumerable<ExportRow> RowsAsync(ExportJob job, [EnumeratorCancellation] CancellationToken ct)
    {
        var csv = job.Format == ExportFormat.Csv;
        await foreach (var chunk in members.ReadAsync(Access.SystemAdmin(job.OwnerName), job.Filter, job.IdList, ct).InChunks(Chunk, ct))
        {
            foreach (var row in await RowsOfAsync(chunk, csv, ct))
            {
                yield return row;
            }
        }
    }

    private async Task<List<ExportRow>> RowsOfAsync(List<AccountMember> chunk, bool csv, CancellationToken ct)
    {
        var ids = chunk.Select(m => m.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var withPassword = (await db.MemberPasswords.AsNoTracking().Where(p => ids.Contains(p.MemberId)).Select(p => p.MemberId).Distinct().ToListAsync(ct)).ToHashSet();
        var withProvider = (await db.AccountMemberLogins.AsNoTracking().Where(l => ids.Contains(l.MemberId)).Select(l => l.MemberId).Distinct().ToListAsync(ct)).ToHashSet();
        var accounts = (await (from m in db.AccountMemberships.AsNoTracking()
                               join a in db.Accounts.AsNoTracking() on m.AccountId equals a.Id
                               where ids.Contains(m.MemberId)
                               orderby m.CreatedAt, m.Id
                               select new { m.MemberId, a.Id, a.Name }).ToListAsync(ct))
            .ToLookup(x => x.MemberId);
        var rows = new List<ExportRow>(chunk.Count);
        foreach (var m in chunk)
        {
            var own = accounts[m.Id].ToList();
            object?[] values = [m.Id.ToString(), m.Name, m.Email, withPassword.Contains(m.Id), withProvider.Contains(m.Id), m.CreatedAt, m.UpdatedAt];
            rows.Add(csv
                ? new ExportRow([.. values, own.Count, string.Join("; ", own.Select(a => a.Name))])
                : new ExportRow(values, [("accounts", own.Select(a => (IReadOnlyList<(string, object?)>)[("id", a.Id.ToString()), ("name", a.Name)]).ToList())]));
        }
        return rows;
    }
}
