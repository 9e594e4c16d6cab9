using System.Text;
using CommerceManager.CustomFields;
using CommerceManager.Customers;
using CommerceManager.Orders;
using CommerceManager.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>A representative ticks customers (or every one a search finds) and acts on them at once.</summary>
public sealed class BulkActionsJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private async Task<string> NewCustomersAsync(int count)
    {
        var domain = $"bulk-{Guid.NewGuid():N}"[..13] + ".example";
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        for (var i = 1; i <= count; i++)
        {
            await customers.CreateAsync(Access.SystemAdmin("e2e"), new CustomerInput { Name = $"Bulk Person {i:00}", Email = $"person{i:00}@{domain}" });
        }
        return domain;
    }

    private async Task EnsureSegmentFieldAsync()
    {
        var values = browser.App.Services.GetRequiredService<CustomFieldValues>();
        if ((await values.FieldsAsync(Flow.Customers)).Any(f => f.Slug == "segment"))
        {
            return;
        }
        var designer = browser.App.Services.GetRequiredService<FieldDesigner>();
        var flow = await designer.EnsureFlowAsync(Access.SystemAdmin("e2e"), Flow.Customers, true);
        await designer.CreateFieldAsync(Access.SystemAdmin("e2e"), flow.Id, new FieldInput { Name = "Segment", Slug = "segment", Type = FieldType.String });
        values.Invalidate();
    }

    private static ILocator Rows(IPage page) => page.Locator("[data-testid=customer-table] tbody tr");

    [Fact]
    public async Task Ticked_customers_get_a_field_set_are_exported_and_deleted_after_a_confirmation_naming_the_count()
    {
        await EnsureSegmentFieldAsync();
        var domain = await NewCustomersAsync(3);
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync($"customers?q={domain}&cols=segment&sort=name");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(3);

        // A tick selects; it does not open the customer.
        await Rows(page).Nth(0).Locator(".mud-checkbox").ClickAsync();
        await Rows(page).Nth(2).Locator(".mud-checkbox").ClickAsync();
        await Assertions.Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync("2 selected");
        Assert.Contains("/customers?", page.Url);

        // Set a field on the two: typed into the dialog, applied in the background, shown in the list when done.
        await page.GetByTestId("bulk-set-field").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.GetByTestId("bulk-field-count")).ToContainTextAsync("2 customers");
        await dialog.GetByTestId("bulk-field-pick").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "Segment", Exact = true }).ClickAsync();
        await dialog.Locator("#custom-segment").ClickAsync();
        await dialog.Locator("#custom-segment").PressSequentiallyAsync("Wholesale");
        await page.ShotAsync("60-bulk-set-field");
        await dialog.GetByTestId("bulk-field-apply").ClickAsync();
        await Assertions.Expect(page.GetByTestId("work-outcome").Filter(new() { HasText = "Segment is now “Wholesale” on 2 customers." })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=cell-segment]")).ToHaveTextAsync(["Wholesale", "", "Wholesale"]);
        var done = page.GetByTestId("work-item").Filter(new() { HasText = "Wholesale" });
        await done.GetByTestId("work-dismiss").ClickAsync();
        await Assertions.Expect(done).ToHaveCountAsync(0);

        // Export the page: tick all, download, and the file has the three with their segment.
        await page.Locator("[data-testid=customer-table] thead .mud-checkbox").ClickAsync();
        await Assertions.Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync("3 selected");
        // The export runs as a job: its progress shows on the list, then its Download.
        await page.GetByTestId("bulk-export").ClickAsync();
        var export = page.GetByTestId("export-job").First;
        await Assertions.Expect(export.GetByTestId("export-outcome")).ToContainTextAsync("3 rows");
        await page.ShotAsync("64-export-ready");
        var download = await page.RunAndWaitForDownloadAsync(() => export.GetByTestId("export-download").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename);
        var csv = (await File.ReadAllTextAsync((await download.PathAsync())!, Encoding.UTF8)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, csv.Length);
        Assert.Contains(",segment,address_count,address_name,", csv[0]);
        Assert.Equal(2, csv.Count(l => l.Contains($"@{domain}") && l.Contains(",Wholesale,")));
        await export.GetByTestId("export-dismiss").ClickAsync();

        // Delete two: the question names the count and what goes with them; Cancel changes nothing.
        await page.GetByTestId("bulk-clear").ClickAsync();
        await Rows(page).Nth(0).Locator(".mud-checkbox").ClickAsync();
        await Rows(page).Nth(1).Locator(".mud-checkbox").ClickAsync();
        await page.GetByTestId("bulk-delete").ClickAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Delete 2 customers?");
        await Assertions.Expect(dialog).ToContainTextAsync("addresses");
        await page.ShotAsync("61-bulk-delete-confirm");
        await dialog.GetByTestId("confirm-cancel").ClickAsync();
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(3);
        await page.GetByTestId("bulk-delete").ClickAsync();
        await dialog.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("work-outcome").Filter(new() { HasText = "Deleted 2 customers." })).ToBeVisibleAsync();
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(1);
        await Assertions.Expect(Rows(page)).ToContainTextAsync("Bulk Person 03");
    }

    [Fact]
    public async Task All_customers_a_search_finds_beyond_the_page_are_deleted_in_one_operation_with_progress()
    {
        var domain = await NewCustomersAsync(30);
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync($"customers?q={domain}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(25);

        await page.Locator("[data-testid=customer-table] thead .mud-checkbox").ClickAsync();
        await Assertions.Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync("25 selected");
        await page.GetByTestId("select-all-matching").ClickAsync();
        await Assertions.Expect(page.GetByTestId("bulk-count")).ToHaveTextAsync("All 30 matching customers selected");
        await page.ShotAsync("62-bulk-all-matching");

        await page.GetByTestId("bulk-delete").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Delete 30 customers?");
        await dialog.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("work-outcome").Filter(new() { HasText = "Deleted 30 customers." })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("empty-state")).ToBeVisibleAsync();
        await page.ShotAsync("63-bulk-deleted");

        var left = await browser.App.Services.GetRequiredService<CustomerService>()
            .ListAsync(Access.SystemAdmin("e2e"), new CustomerQuery($"like(email,*@{domain})"));
        Assert.Equal(0, left.Total);
        Assert.True((await browser.App.Services.GetRequiredService<CustomerService>().ListAsync(Access.SystemAdmin("e2e"), new CustomerQuery())).Total > 0);

        // Regret: the outcome leads to the job's one line on the Activity page, opened onto its changes, with Undo.
        await page.GetByTestId("work-link").ClickAsync();
        await page.WaitForURLAsync("**/activity?job=*");
        await page.WaitForCircuitAsync();
        var line = page.GetByTestId("activity-row");
        await Assertions.Expect(line).ToHaveCountAsync(1);
        await Assertions.Expect(line).ToContainTextAsync("Bulk delete: 30 customers");
        await Assertions.Expect(line).ToContainTextAsync(KestrelApp.AdminEmail);
        await Assertions.Expect(page.GetByTestId("bulk-change")).ToHaveCountAsync(25);
        await Assertions.Expect(page.GetByTestId("bulk-change").First).ToContainTextAsync("Customer deleted");
        await page.GetByTestId("bulk-more").ClickAsync();
        await Assertions.Expect(page.GetByTestId("bulk-change")).ToHaveCountAsync(30);
        await page.ShotAsync("64-bulk-job-on-activity");
        await page.GetByTestId("bulk-undo").ClickAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("The 30 deleted customers come back");
        await dialog.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("work-outcome").Filter(new() { HasText = "Undone: 30 customers back." })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("bulk-status")).ToContainTextAsync("Undone by " + KestrelApp.AdminEmail);
        await Assertions.Expect(page.GetByTestId("bulk-undo")).ToHaveCountAsync(0);
        Assert.Equal(30, (await browser.App.Services.GetRequiredService<CustomerService>()
            .ListAsync(Access.SystemAdmin("e2e"), new CustomerQuery($"like(email,*@{domain})"))).Total);
    }

    [Fact]
    public async Task Ticked_customers_move_to_accounts_from_the_list_and_the_move_is_undone_from_its_page()
    {
        var domain = $"move-{Guid.NewGuid():N}"[..13] + ".example";
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        for (var i = 1; i <= 2; i++)
        {
            await customers.CreateAsync(Access.SystemAdmin("e2e"), new CustomerInput { Name = $"Moving Person {i}", Email = $"mover{i}@{domain}", Password = "an old shopper password" });
        }
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync($"customers?q={domain}");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(Rows(page)).ToHaveCountAsync(2);
        await page.Locator("[data-testid=customer-table] thead .mud-checkbox").ClickAsync();

        await page.GetByTestId("bulk-move").ClickAsync();
        await page.WaitForURLAsync("**/accounts/move?ids=*");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("move-count")).ToHaveTextAsync("2 customers ticked on the customers list");
        await Assertions.Expect(page.GetByTestId("move-row")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("move-row").First).ToContainTextAsync("Set: moves with it");
        await page.ShotAsync("85-move-to-accounts");
        await page.GetByTestId("move-run").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync("Move 2 customers to accounts?");
        await dialog.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("work-outcome").Filter(new() { HasText = "Moved 2 customers to accounts." })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("move-job").First).ToContainTextAsync("2 of 2");
        await Assertions.Expect(page.GetByTestId("move-row").First).ToContainTextAsync("moved already");
        var accounts = browser.App.Services.GetRequiredService<CommerceManager.Accounts.AccountService>();
        var moved = await accounts.ListAsync(Access.SystemAdmin("e2e"), new CommerceManager.Accounts.AccountQuery("like(name,Moving*)"));
        Assert.Equal(2, moved.Total);

        await page.GetByTestId("move-undo").First.ClickAsync();
        await Assertions.Expect(dialog).ToContainTextAsync("Undo this move?");
        await dialog.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("work-outcome").Filter(new() { HasText = "Undone: 2 accounts removed." })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("move-state").First).ToContainTextAsync("Undone by " + KestrelApp.AdminEmail);
        Assert.Equal(0, (await accounts.ListAsync(Access.SystemAdmin("e2e"), new CommerceManager.Accounts.AccountQuery("like(name,Moving*)"))).Total);
    }

    [Fact]
    public async Task Ticked_orders_export_as_a_job_and_download_as_csv()
    {
        var orders = browser.App.Services.GetRequiredService<OrderService>();
        var newest = (await orders.ListAsync(Access.SystemAdmin("e2e"), new OrderQuery(null, null, 0, 2))).Items;
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync("orders");
        await page.WaitForCircuitAsync();

        var rows = page.Locator("[data-testid=orders-table] tbody tr");
        await rows.Nth(0).Locator(".mud-checkbox").ClickAsync();
        await rows.Nth(1).Locator(".mud-checkbox").ClickAsync();
        await Assertions.Expect(page.GetByTestId("orders-bulk-count")).ToHaveTextAsync("2 selected");
        Assert.EndsWith("/orders", page.Url);
        await page.GetByTestId("orders-bulk-export").ClickAsync();
        var export = page.GetByTestId("export-job").First;
        await Assertions.Expect(export.GetByTestId("export-outcome")).ToContainTextAsync("2 rows");
        var download = await page.RunAndWaitForDownloadAsync(() => export.GetByTestId("export-download").ClickAsync());

        var csv = (await File.ReadAllTextAsync((await download.PathAsync())!, Encoding.UTF8)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, csv.Length);
        Assert.Equal(newest.Select(o => o.Id.ToString()), csv.Skip(1).Select(l => l[..36]));
    }
}
