using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Exports;
using CommerceManager.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CommerceManager.Tests.Exports;

/// <summary>The export queue without a host: claiming, stopping, taking over after a crash, and cleaning up.</summary>
public sealed class ExportRunnerTests : IAsyncLifetime
{
    private TestServices services = null!;

    public async Task InitializeAsync()
    {
        services = await TestServices.CreateAsync();
        var customers = services.Get<CustomerService>();
        for (var i = 0; i < 5; i++)
        {
            await customers.CreateAsync(As.Admin, new CustomerInput { Name = $"Runner {i}", Email = $"runner{i}@example.org" });
        }
    }

    public async Task DisposeAsync() => await services.DisposeAsync();

    private ExportRunner NewRunner() => ActivatorUtilities.CreateInstance<ExportRunner>(services.Provider);

    [Fact]
    public async Task A_waiting_export_that_is_stopped_fails_with_who_stopped_it_and_is_never_run()
    {
        var exports = services.Get<ExportService>();
        var job = await exports.CreateAsync(As.Representative, new ExportRequest(ExportKind.Customers));

        Assert.True(await exports.CancelAsync(As.Representative, job.Id));

        var stopped = (await exports.GetAsync(As.Representative, job.Id))!;
        Assert.Equal(JobStatus.Failed, stopped.Status);
        Assert.Equal("Stopped by rep@example.com.", stopped.Error);
        Assert.Null(await services.Get<ExportRunner>().ClaimAsync(CancellationToken.None));
        Assert.False(await exports.CancelAsync(As.Viewer, job.Id)); // someone else's: not theirs to stop
    }

    [Fact]
    public async Task A_running_export_stopped_before_it_ends_leaves_no_file()
    {
        var exports = services.Get<ExportService>();
        var job = await exports.CreateAsync(As.Admin, new ExportRequest(ExportKind.Customers));
        var runner = services.Get<ExportRunner>();
        var claimed = (await runner.ClaimAsync(CancellationToken.None))!;
        Assert.Equal(JobStatus.Started, (await exports.GetAsync(As.Admin, job.Id))!.Status);

        await exports.CancelAsync(As.Admin, job.Id);
        await runner.RunAsync(claimed, CancellationToken.None);

        var stopped = (await exports.GetAsync(As.Admin, job.Id))!;
        Assert.Equal(JobStatus.Failed, stopped.Status);
        Assert.Equal("Stopped by admin@example.com.", stopped.Error);
        Assert.Null(exports.FileOf(stopped));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(exports.PathOf(stopped))!, $"{job.Id:N}*"));
    }

    [Fact]
    public async Task An_export_whose_instance_died_is_taken_over_started_again_and_the_dead_runner_cannot_end_it()
    {
        var exports = services.Get<ExportService>();
        var job = await exports.CreateAsync(As.Admin, new ExportRequest(ExportKind.Customers, ExportFormat.Jsonl));
        var dead = NewRunner();
        var claimedByDead = (await dead.ClaimAsync(CancellationToken.None))!;
        var other = NewRunner();
        Assert.Null(await other.ClaimAsync(CancellationToken.None)); // it is running (the heartbeat is fresh)

        // The dead instance's heartbeat goes quiet.
        await using (var db = await services.DbAsync())
        {
            await db.ExportJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, DateTime.UtcNow - ExportRunner.Orphaned - TimeSpan.FromSeconds(5)));
        }
        var claimedByOther = (await other.ClaimAsync(CancellationToken.None))!;
        Assert.Equal(job.Id, claimedByOther.Id);
        await other.RunAsync(claimedByOther, CancellationToken.None);

        var done = (await exports.GetAsync(As.Admin, job.Id))!;
        Assert.Equal(JobStatus.Success, done.Status);
        Assert.Equal(5, done.RowsDone);
        // The stalled instance wakes up and finishes its own run: it no longer owns the job, so nothing it wrote counts.
        await dead.RunAsync(claimedByDead, CancellationToken.None);
        done = (await exports.GetAsync(As.Admin, job.Id))!;
        Assert.Equal(JobStatus.Success, done.Status);
        var lines = await File.ReadAllLinesAsync(exports.FileOf(done)!);
        Assert.Equal(5, lines.Length);
        Assert.Equal(5, lines.Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["id"]!.GetValue<string>()).Distinct().Count());
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(exports.PathOf(done))!, $"{job.Id:N}*"));
    }

    [Fact]
    public async Task Expired_exports_go_with_their_files()
    {
        var exports = services.Get<ExportService>();
        var runner = services.Get<ExportRunner>();
        var job = await exports.CreateAsync(As.Admin, new ExportRequest(ExportKind.Customers));
        await runner.RunAsync((await runner.ClaimAsync(CancellationToken.None))!, CancellationToken.None);
        var path = exports.FileOf((await exports.GetAsync(As.Admin, job.Id))!)!;
        await using (var db = await services.DbAsync())
        {
            await db.ExportJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s.SetProperty(j => j.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        }

        await runner.CleanUpAsync(CancellationToken.None);

        Assert.False(File.Exists(path));
        Assert.Null(await exports.GetAsync(As.Admin, job.Id));
    }
}
