using System.Text.RegularExpressions;
using CommerceManager.Security;
using CommerceManager.Staff;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>Saved views shared between staff, the places the console remembers, and the console on a phone-sized screen.</summary>
public sealed class SavedViewsAndSmallScreenTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly System.Security.Claims.ClaimsPrincipal Admin = Access.SystemAdmin("e2e");

    [Fact]
    public async Task An_admin_shares_a_default_view_and_a_viewer_opens_it_from_the_tabs()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        var everyone = await page.GetByTestId("customer-total").InnerTextAsync();

        // Narrow the list, then save it as a shared view the list opens with.
        await page.GotoAsync("customers?password=set");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("customer-total")).Not.ToHaveTextAsync(everyone);
        var withPassword = await page.GetByTestId("customer-total").InnerTextAsync();
        await page.GetByTestId("save-view").ClickAsync();
        await page.Locator("#view-name").FillAsync("Has a password");
        await page.GetByTestId("view-default").ClickAsync();
        await page.GetByTestId("view-shared").ClickAsync();
        await page.GetByTestId("save-view-confirm").ClickAsync();
        var tab = page.GetByTestId("view-tab").Filter(new() { HasText = "Has a password" });
        await Assertions.Expect(tab).ToHaveAttributeAsync("aria-current", "page");
        // The confirmation is announced to screen readers (a live region), not only shown.
        await Assertions.Expect(page.Locator("[aria-live=polite], [aria-live=assertive], [role=status], [role=alert]")
            .Filter(new() { HasText = "View “Has a password” saved." })).Not.ToHaveCountAsync(0);
        await page.ShotAsync("72-saved-views");

        // The plain list (the navigation's "Customers") opens with it; "All customers" shows everyone again.
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).ClickAsync();
        await page.ExpectUrlAsync("**/customers?password=set");
        await Assertions.Expect(page.GetByTestId("customer-total")).ToHaveTextAsync(withPassword);
        await page.GetByTestId("view-all").ClickAsync();
        await page.ExpectUrlAsync("**/customers?view=all");
        await Assertions.Expect(page.GetByTestId("customer-total")).ToHaveTextAsync(everyone);

        // A viewer sees the shared view (marked shared), opens it, and may not delete it.
        await browser.App.Services.GetRequiredService<StaffService>().CreateAsync(Admin,
            new StaffInput { Email = "viewer@e2e.example", DisplayName = "Vera Viewer", Role = Roles.Viewer, Password = "viewer e2e password 1" });
        var viewer = await browser.NewPageAsync();
        await viewer.SignInAsync("viewer@e2e.example", "viewer e2e password 1");
        var shared = viewer.GetByTestId("view-tab").Filter(new() { HasText = "Has a password" });
        await Assertions.Expect(shared).ToContainTextAsync("(shared)");
        // Not the viewer's default: their plain list is everyone.
        await Assertions.Expect(viewer.GetByTestId("customer-total")).ToHaveTextAsync(everyone);
        await shared.ClickAsync();
        await viewer.ExpectUrlAsync("**/customers?password=set");
        await Assertions.Expect(viewer.GetByTestId("customer-total")).ToHaveTextAsync(withPassword);
        await viewer.GetByTestId("view-actions").ClickAsync();
        await Assertions.Expect(viewer.GetByTestId("view-make-default")).ToBeVisibleAsync();
        await Assertions.Expect(viewer.GetByTestId("view-delete")).ToHaveCountAsync(0);
        await viewer.Context.CloseAsync();

        // The admin stops opening the list with it: the plain list is everyone again.
        await tab.ClickAsync();
        await page.ExpectUrlAsync("**/customers?password=set");
        await page.GetByTestId("view-actions").ClickAsync();
        await page.GetByTestId("view-undefault").ClickAsync();
        await Assertions.Expect(tab).Not.ToContainTextAsync("your default");
        await page.GotoAsync("customers");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("customer-total")).ToHaveTextAsync(everyone);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_customer_page_opens_on_the_tab_last_used()
    {
        var page = await browser.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);
        await page.GotoAsync("customers?view=all");
        await page.WaitForCircuitAsync();
        var links = page.GetByTestId("customer-table").Locator("tbody tr a");
        var first = await links.Nth(0).GetAttributeAsync("href");
        var second = await links.Nth(1).GetAttributeAsync("href");

        await page.GotoAsync(first!);
        await page.WaitForCircuitAsync();
        await page.GetByRole(AriaRole.Tab, new() { NameRegex = new Regex("^Addresses") }).ClickAsync();
        await page.ExpectUrlAsync("**tab=addresses");

        await page.GotoAsync(second!);
        await page.ExpectUrlAsync("**tab=addresses");
        await Assertions.Expect(page.GetByTestId("add-address")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(390, 844)]
    [InlineData(1440, 900)]
    public async Task The_console_fits_a_phone_and_a_laptop_screen(int width, int height)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = browser.App.BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        await page.SignInAsync(KestrelApp.AdminEmail, KestrelApp.AdminPassword);

        async Task FitsAsync(string name)
        {
            await page.WaitForTimeoutAsync(300);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            if (overflow > 0)
            {
                await page.ShotAsync($"75-{width}px-{name}-overflow");
                // The widest culprits: elements whose right edge is past the screen, innermost first.
                var culprits = await page.EvaluateAsync<string[]>("""
                    () => [...document.querySelectorAll('body *')]
                      .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1 && e.children.length === 0)
                      .slice(0, 8)
                      .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' (' + Math.round(e.getBoundingClientRect().right) + ')')
                    """);
                Assert.Fail($"{name} at {width} px is {overflow} px wider than the screen (scrolls sideways): {string.Join(", ", culprits)}");
            }
            await page.ShotAsync($"75-{width}px-{name}");
        }

        // On a phone the navigation is closed until asked for, and the page has the width.
        var nav = page.GetByRole(AriaRole.Link, new() { Name = "Orders", Exact = true });
        if (width < 960)
        {
            await Assertions.Expect(nav).Not.ToBeInViewportAsync();
        }
        else
        {
            await Assertions.Expect(nav).ToBeInViewportAsync();
        }
        await Assertions.Expect(page.GetByTestId("customer-table").Locator("tbody tr").First).ToBeVisibleAsync();
        await FitsAsync("customers");
        if (width < 600)
        {
            // A phone opens on the results (issue 40, item 8): the first card is on the first screen, compact (the minor
            // cells are on the customer's page), and the other filters wait behind "Filters".
            var firstRow = page.GetByTestId("customer-table").Locator("tbody tr").First;
            var card = await firstRow.BoundingBoxAsync();
            Assert.True(card is not null && card.Y + 40 < height, $"the first customer shows on a phone's first screen (at {card?.Y} of {height} px)");
            await Assertions.Expect(firstRow.Locator("td[data-label=Updated]")).Not.ToBeVisibleAsync();
            await Assertions.Expect(firstRow.Locator("td[data-label=Email]")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("search-field")).Not.ToBeVisibleAsync();
            await page.GetByTestId("filters-toggle").ClickAsync();
            await Assertions.Expect(page.GetByTestId("search-field")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("filters-toggle")).ToHaveAttributeAsync("aria-expanded", "true");
            await page.ShotAsync($"75-{width}px-customers-filters");
            await page.GetByTestId("filters-toggle").ClickAsync();
        }
        else
        {
            await Assertions.Expect(page.GetByTestId("filters-toggle")).Not.ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("search-field")).ToBeVisibleAsync();
        }

        var href = await page.GetByTestId("customer-table").Locator("tbody tr a").First.GetAttributeAsync("href");
        await page.GotoAsync(href + "?tab=details");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("delete-customer")).ToBeVisibleAsync();
        await FitsAsync("customer");

        await page.GotoAsync(href + "?tab=addresses");
        await page.WaitForCircuitAsync();
        await page.GetByTestId("add-address").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.Locator("#address-first-name")).ToBeVisibleAsync();
        var box = await dialog.BoundingBoxAsync();
        Assert.True(box is not null && box.X >= 0 && box.X + box.Width <= width, $"the address dialog fits the {width} px screen ({box?.X} + {box?.Width})");
        await FitsAsync("address-dialog");
        await page.Keyboard.PressAsync("Escape");

        await page.GotoAsync("orders");
        await page.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("orders-table").Locator("tbody tr").First).ToBeVisibleAsync();
        await FitsAsync("orders");
        if (width < 600)
        {
            // Each card's cells are on the screen, not cut off inside the table's sideways scroll.
            var cells = page.GetByTestId("orders-table").Locator("tbody tr").First.Locator("td");
            for (var i = 0; i < await cells.CountAsync(); i++)
            {
                if (await cells.Nth(i).IsVisibleAsync() && await cells.Nth(i).BoundingBoxAsync() is { } cell)
                {
                    Assert.True(cell.X + cell.Width <= width, $"an order card's cell {i} ends at {cell.X + cell.Width} px on a {width} px screen");
                }
            }
        }

        // Every other page fits too (issue 40, item 8): none is wider than the screen.
        foreach (var (path, name) in new[]
                 {
                     ("", "home"), ("customers/duplicates", "duplicates"), ("settings/custom-fields", "custom-fields"), ("activity", "activity"),
                     ("accounts", "accounts"), ("exports", "exports"), ("settings/staff", "staff"), ("settings/api-keys", "api-keys"),
                     ("settings/sign-in", "sign-in"), ("settings/backups", "backups"), ("customers/import", "import"),
                 })
        {
            await page.GotoAsync(path);
            await page.WaitForCircuitAsync();
            await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
            await FitsAsync(name);
            // The heading takes the focus for screen readers, without a ring (it is not a control: issue 40, item 10).
            var ring = await page.EvaluateAsync<string>("() => document.activeElement?.tagName === 'H1' ? getComputedStyle(document.activeElement).outlineStyle : 'none'");
            Assert.Equal("none", ring);
            if (name == "custom-fields")
            {
                // Every field's Edit and Delete are on the screen, not behind a sideways scroll.
                foreach (var action in new[] { "edit-field", "delete-field" })
                {
                    var button = await page.GetByTestId(action).First.BoundingBoxAsync();
                    Assert.True(button is not null && button.X + button.Width <= width, $"{action} is off the {width} px screen ({button?.X} + {button?.Width})");
                }
            }
        }

        // The app bar's account (a phone's) and theme buttons are on the screen.
        foreach (var button in width < 960 ? new[] { page.GetByTestId("account-menu"), page.GetByTestId("theme-toggle") } : [page.GetByTestId("theme-toggle")])
        {
            var bar = await button.BoundingBoxAsync();
            Assert.True(bar is not null && bar.X >= 0 && bar.X + bar.Width <= width, $"an app bar button is off the {width} px screen ({bar?.X} + {bar?.Width})");
        }

        if (width < 960)
        {
            // The menu button opens the navigation over the page.
            await page.GetByLabel("Show or hide navigation").ClickAsync();
            await Assertions.Expect(nav).ToBeInViewportAsync();
            await page.ShotAsync($"75-{width}px-navigation");
            await nav.ClickAsync();
            await page.ExpectUrlAsync("**/orders");
            // Choosing a page closes the navigation again, so the page is not left behind it.
            await Assertions.Expect(nav).Not.ToBeInViewportAsync();
        }
        await context.CloseAsync();
    }
}
