using CommerceManager.Data;
using System.Text;
using CommerceManager.Customers;
using CommerceManager.DataTransfer;
using CommerceManager.Privacy;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Tests.Exports;

/// <summary>Uploaded customer files and imports do not outlive their use (security.md, row 18).</summary>
public sealed class ImportHousekeepingTests : IAsyncLifetime
{
    private TestServices services = null!;

    public async Task InitializeAsync() => services = await TestServices.CreateAsync();

    public async Task DisposeAsync() => await services.DisposeAsync();

    private const string Csv = "name,email\r\nAda Lovelace,ada@house.example\r\nBad Row,not-an-email\r\n";

    private async Task<ImportUpload> UploadAsync(string csv = Csv) =>
        await services.Get<ImportService>().UploadAsync(As.Representative, "customers.csv", new MemoryStream(Encoding.UTF8.GetBytes(csv)));

    private async Task<ImportJob> RunAsync(ImportUpload upload, bool dryRun, ExistingEmail onExisting = ExistingEmail.Skip)
    {
        var imports = services.Get<ImportService>();
        var job = await imports.StartAsync(As.Representative, upload, upload.Guessed, onExisting, dryRun);
        var runner = services.Get<ImportRunner>();
        await runner.RunAsync((await runner.ClaimAsync(CancellationToken.None))!, CancellationToken.None);
        return (await imports.GetAsync(As.Representative, job.Id))!;
    }

    [Fact]
    public async Task A_dry_run_keeps_the_upload_for_the_import_and_the_import_deletes_it_when_it_ends()
    {
        var imports = services.Get<ImportService>();
        var upload = await UploadAsync();

        await RunAsync(upload, dryRun: true);
        Assert.True(File.Exists(imports.PathOf(upload.FileId)));

        var job = await RunAsync(upload, dryRun: false);
        Assert.Equal(JobStatus.Success, job.Status);
        Assert.False(File.Exists(imports.PathOf(upload.FileId)));
        // The refused rows are still there to download and fix until the import expires.
        Assert.NotEmpty(await imports.ErrorsAsync(As.Representative, job.Id));
    }

    [Fact]
    public async Task Expired_imports_go_with_their_refused_rows_and_files_and_unused_uploads_go_after_a_day()
    {
        var imports = services.Get<ImportService>();
        var expiredUpload = await UploadAsync();
        var expired = await RunAsync(expiredUpload, dryRun: true);
        var kept = await RunAsync(await UploadAsync(), dryRun: true);
        var stale = await UploadAsync();
        var fresh = await UploadAsync();
        await using (var db = await services.DbAsync())
        {
            await db.ImportJobs.Where(j => j.Id == expired.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }
        File.SetLastWriteTimeUtc(imports.PathOf(stale.FileId), DateTime.UtcNow - ImportRunner.UnusedUploadLifetime - TimeSpan.FromMinutes(5));

        await services.Get<ImportRunner>().CleanUpAsync(CancellationToken.None);

        await using var after = await services.DbAsync();
        Assert.False(await after.ImportJobs.AnyAsync(j => j.Id == expired.Id));
        Assert.False(await after.ImportRowErrors.AnyAsync(e => e.JobId == expired.Id));
        Assert.False(File.Exists(imports.PathOf(expiredUpload.FileId)));
        Assert.False(File.Exists(imports.PathOf(stale.FileId)));
        Assert.True(await after.ImportJobs.AnyAsync(j => j.Id == kept.Id));
        Assert.True(await after.ImportRowErrors.AnyAsync(e => e.JobId == kept.Id));
        Assert.True(File.Exists(imports.PathOf(fresh.FileId)));
    }

    [Fact]
    public async Task Erasing_a_customer_clears_the_imports_that_name_them_in_any_letter_case()
    {
        var customers = services.Get<CustomerService>();
        var ada = (await customers.CreateAsync(As.Admin, new CustomerInput { Name = "Ada Lovelace", Email = "ada@house.example" })).Value!;
        // A refused row spelt in capitals, and an import that stopped at the customer's row.
        var refused = await RunAsync(await UploadAsync("name,email,points\r\nADA LOVELACE,ADA@HOUSE.EXAMPLE,\r\nx,not-an-email,\r\n"), dryRun: true,
            ExistingEmail.Stop);
        Assert.Contains("ada@house.example", refused.Error, StringComparison.OrdinalIgnoreCase);

        Assert.True((await services.Get<PrivacyService>().EraseCustomerAsync(As.Admin, ada.Id)).IsOk);

        await using var db = await services.DbAsync();
        var job = await db.ImportJobs.SingleAsync(j => j.Id == refused.Id);
        Assert.DoesNotContain("house.example", job.Error, StringComparison.OrdinalIgnoreCase);
        var rows = await db.ImportRowErrors.Where(e => e.JobId == refused.Id).ToListAsync();
        Assert.All(rows, r => Assert.DoesNotContain("house.example", r.Values + r.Message, StringComparison.OrdinalIgnoreCase));
    }
}
