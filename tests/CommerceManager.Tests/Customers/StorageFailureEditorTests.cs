using Bunit;
using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.Security;
using CommerceManager.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CommerceManager.Tests.Customers;

/// <summary>The console when the database can't be written (a full disk): a clear message, and the form keeps what was typed.</summary>
public sealed class StorageFailureEditorTests : ConsoleTestContext
{
    private readonly DiskFull disk = new();

    protected override void ConfigureAppServices(IServiceCollection services) =>
        services.ConfigureDbContext<AppDbContext>(o => o.AddInterceptors(disk));

    [Fact]
    public async Task A_save_on_a_full_disk_says_so_keeps_the_typed_values_and_goes_through_once_there_is_room()
    {
        SignInAs(Roles.Representative);
        CustomerDto? saved = null;
        var cut = Render<CustomerEditor>(p => p.Add(e => e.OnSaved, c => saved = c));
        cut.Find("#customer-name").TypeText("Grace Hopper");
        cut.Find("#customer-email").TypeText("grace@example.com");
        disk.Full = true;

        await cut.InvokeAsync(() => cut.Find("[data-testid=save-customer]").ClickAsync(new()));

        var snackbar = Services.GetRequiredService<ISnackbar>();
        cut.WaitForAssertion(() => Assert.Contains(snackbar.ShownSnackbars, s => s.Message == DbErrors.StorageUnavailableMessage && s.Severity == Severity.Error));
        Assert.Equal("Grace Hopper", cut.Find("#customer-name").GetAttribute("value"));
        Assert.Equal("grace@example.com", cut.Find("#customer-email").GetAttribute("value"));
        Assert.Null(saved);
        Assert.NotNull(App.Get<StorageHealth>().FailingSince);

        disk.Full = false;
        await cut.InvokeAsync(() => cut.Find("[data-testid=save-customer]").ClickAsync(new()));

        cut.WaitForAssertion(() => Assert.NotNull(saved));
        Assert.Equal("Grace Hopper", (await App.Get<CustomerService>().GetAsync(As.Viewer, saved!.Id))!.Name);
        Assert.Null(App.Get<StorageHealth>().FailingSince);
    }

    /// <summary>Writes fail as SQLite fails them on a full disk (at the command, inside the save), while <see cref="Full"/> is set.</summary>
    private sealed class DiskFull : DbCommandInterceptor
    {
        public volatile bool Full;

        public override ValueTask<InterceptionResult<System.Data.Common.DbDataReader>> ReaderExecutingAsync(System.Data.Common.DbCommand command,
            CommandEventData eventData, InterceptionResult<System.Data.Common.DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Fail(command);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(System.Data.Common.DbCommand command, CommandEventData eventData,
            InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Fail(command);
            return ValueTask.FromResult(result);
        }

        // New customers are saved synchronously by SQLite's group-commit writer.
        public override InterceptionResult<System.Data.Common.DbDataReader> ReaderExecuting(System.Data.Common.DbCommand command, CommandEventData eventData,
            InterceptionResult<System.Data.Common.DbDataReader> result)
        {
            Fail(command);
            return result;
        }

        public override InterceptionResult<int> NonQueryExecuting(System.Data.Common.DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Fail(command);
            return result;
        }

        private void Fail(System.Data.Common.DbCommand command)
        {
            var sql = command.CommandText.TrimStart();
            if (Full && (sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)))
            {
                throw new SqliteException("SQLite Error 13: 'database or disk is full'.", 13);
            }
        }
    }
}
