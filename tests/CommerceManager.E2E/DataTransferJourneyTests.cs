using System.Text;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>Data in and out as staff do it: export what a search shows, bring in another platform's customer file.</summary>
public sealed class DataTransferJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task A_filtered_view_exports_as_a_job_whose_file_holds_just_that_view()
    {
        var domain = $"view-{Guid.NewGuid():N}"[..13] + ".example";
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        foreach (var name in new[] { "Vera Export", "Victor Export", "Walter Other" })
        {
            await customers.CreateAsync(Access.SystemAdmin("e2e"), new CustomerInput { Name = name, Email = $"{name.Split(' ')[0].ToLowerInvariant()}@{domain}" });
        }
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync($"customers?filter={Uri.EscapeDataString($"like(email,*@{domain}):like(name,V*)")}&sort=name");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("[data-testid=customer-table] tbody tr")).ToHaveCountAsync(2);

        await page.GetByTestId("export-menu").ClickAsync();
        await page.GetByTestId("export-view-csv").ClickAsync();
        var export = page.GetByTestId("export-job").First;
        await Assertions.Expect(export.GetByTestId("export-outcome")).ToContainTextAsync("2 rows");
        var download = await page.RunAndWaitForDownloadAsync(() => export.GetByTestId("export-download").ClickAsync());

        var lines = (await File.ReadAllTextAsync((await download.PathAsync())!, Encoding.UTF8)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains(",Vera Export,vera@", lines[1]);
        Assert.Contains(",Victor Export,victor@", lines[2]);

        // Named after what it holds (issue 40, item 7): the file, and the Exports page's line, say the filter in words.
        Assert.StartsWith("customers-email-ends-with-", download.SuggestedFilename);
        Assert.Contains("-name-starts-with-v-", download.SuggestedFilename);
        await page.GotoAsync("exports");
        await Assertions.Expect(page.GetByTestId("exports-table")).ToContainTextAsync($"Email ends with “@{domain}”, name starts with “V”");
        await page.ShotAsync("65-exports-page");
    }

    [Fact]
    public async Task Another_platforms_customer_file_is_mapped_checked_and_imported_with_the_progress_bar_reaching_the_end()
    {
        var domain = $"imp-{Guid.NewGuid():N}"[..12] + ".example";
        var rows = new StringBuilder("First Name,Last Name,Email,Accepts Marketing,Company,Address1,Address2,City,Province,Country,Zip,Phone,Total Spent\r\n");
        for (var i = 1; i <= 40; i++)
        {
            rows.Append($"Imported,Person {i:00},person{i:00}@{domain},yes,,{i} High Street,,Leeds,West Yorkshire,United Kingdom,LS1 {i}AB,+44 113 496 00{i:00},0\r\n");
        }
        rows.Append($"Broken,Row,not-an-email,no,,,,,,,,,0\r\n");
        var file = Path.Combine(Path.GetTempPath(), $"shop-customers-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, rows.ToString(), new UTF8Encoding(true));
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync("customers");
        await page.WaitForCircuitAsync();

        await page.GetByTestId("import-link").ClickAsync();
        await page.ExpectUrlAsync("**/customers/import");
        await page.Locator("input[type=file]").SetInputFilesAsync(file);
        await Assertions.Expect(page.GetByTestId("import-summary")).ToContainTextAsync("41 rows");
        // The guesses: names, email and the address columns; "Total Spent" is skipped. A few clicks: the company goes nowhere.
        var mapping = page.GetByTestId("import-mapping");
        await Assertions.Expect(mapping.Locator("tbody tr").Nth(0)).ToContainTextAsync("First name");
        await Assertions.Expect(mapping.Locator("tbody tr").Nth(5)).ToContainTextAsync("Address line 1");
        await Assertions.Expect(mapping.Locator("tbody tr").Nth(12)).ToContainTextAsync("(skip this column)");
        await page.GetByTestId("map-4").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "(skip this column)" }).ClickAsync();
        await page.ShotAsync("66-import-mapping");

        // Check first: nothing is written, the broken row is named.
        await page.GetByTestId("import-dry-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-state")).ToHaveTextAsync("done");
        await Assertions.Expect(page.GetByTestId("import-created")).ToHaveTextAsync("Would create 40");
        await Assertions.Expect(page.GetByTestId("import-errors")).ToContainTextAsync("Email");
        // Named by the spreadsheet's line: the header is line 1, so the 41st row is line 42.
        await Assertions.Expect(page.GetByTestId("import-error-line")).ToHaveTextAsync("42");
        var customers = browser.App.Services.GetRequiredService<CustomerService>();
        Assert.Equal(0, (await customers.ListAsync(Access.SystemAdmin("e2e"), new CustomerQuery($"like(email,*@{domain})"))).Total);

        // Change the mapping after the check, without uploading the file again: the company's column is back, checked again.
        await page.GetByTestId("import-change-mapping").ClickAsync();
        await page.ExpectUrlAsync("**/customers/import");
        await Assertions.Expect(page.GetByTestId("import-summary")).ToContainTextAsync("41 rows");
        await Assertions.Expect(mapping.Locator("tbody tr").Nth(4)).ToContainTextAsync("(skip this column)");
        await Assertions.Expect(mapping.Locator("tbody tr").Nth(5)).ToContainTextAsync("1 High Street");
        await page.GetByTestId("import-dry-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-state")).ToHaveTextAsync("done");
        await Assertions.Expect(page.GetByTestId("import-created")).ToHaveTextAsync("Would create 40");

        await page.GetByTestId("import-now").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-state")).ToHaveTextAsync("done");
        await Assertions.Expect(page.GetByTestId("import-progress")).ToHaveTextAsync("41 of 41 rows (100%)");
        await Assertions.Expect(page.GetByTestId("import-progress-bar")).ToHaveAttributeAsync("aria-valuenow", "100");
        await Assertions.Expect(page.GetByTestId("import-created")).ToHaveTextAsync("Created 40");
        await Assertions.Expect(page.GetByTestId("import-failed")).ToHaveTextAsync("Refused 1");
        await page.ShotAsync("67-import-done");

        var failed = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("import-failed-rows").ClickAsync());
        var failedLines = (await File.ReadAllTextAsync((await failed.PathAsync())!, Encoding.UTF8)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, failedLines.Length);
        Assert.EndsWith(",error", failedLines[0]);
        Assert.StartsWith("Broken,Row,not-an-email,", failedLines[1]);

        var imported = (await customers.ListAsync(Access.SystemAdmin("e2e"), new CustomerQuery($"eq(email,person07@{domain})"))).Items.Single();
        Assert.Equal("Imported Person 07", imported.Name);
        var address = Assert.Single((await browser.App.Services.GetRequiredService<AddressService>().ListAsync(Access.SystemAdmin("e2e"), imported.Id))!.Items);
        Assert.Equal(("7 High Street", "GB", "West Yorkshire", null), (address.Postal.Line1, address.Postal.Country, address.Postal.County, address.Postal.CompanyName));
        File.Delete(file);
    }
}
