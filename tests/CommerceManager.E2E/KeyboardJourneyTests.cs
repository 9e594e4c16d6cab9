using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CommerceManager.E2E;

/// <summary>
/// The console without a mouse: sign in, the shortcuts ("?", "g o", "g c", "/"), the skip link, then find a customer,
/// add an address and save it, every step by keyboard. Nothing here clicks.
/// </summary>
public sealed class KeyboardJourneyTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    /// <summary>What has focus: its id, accessible label, test id and text, joined (enough to recognise it).</summary>
    private static Task<string> FocusedAsync(IPage page) => page.EvaluateAsync<string>("""
        () => {
          const e = document.activeElement;
          if (!e || e === document.body) return '';
          return [e.id, e.getAttribute('aria-label'), e.getAttribute('data-testid'), (e.textContent || '').trim().slice(0, 80)].join('|');
        }
        """);

    /// <summary>Presses Tab (or Shift+Tab) until the focused element is the one described (fails after <paramref name="max"/> presses).</summary>
    private static async Task TabToAsync(IPage page, string what, int max = 60, bool backwards = false)
    {
        var seen = new List<string>();
        for (var i = 0; i < max; i++)
        {
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
            var focused = await FocusedAsync(page);
            if (focused.Contains(what, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }
            seen.Add(focused);
        }
        Assert.Fail($"Tab never reached “{what}” in {max} presses. Focus went: {string.Join(" → ", seen)}");
    }

    private static async Task TypeAsync(IPage page, string text) => await page.Keyboard.TypeAsync(text, new() { Delay = 15 });

    [Fact]
    public async Task A_staff_member_finds_a_customer_adds_an_address_and_saves_it_with_the_keyboard_only()
    {
        var page = await browser.NewPageAsync();

        // Sign in: Tab to each field, type, Enter.
        await page.GotoAsync("Account/Login");
        await TabToAsync(page, "Email");
        await TypeAsync(page, KestrelApp.AdminEmail);
        await TabToAsync(page, "Password");
        await TypeAsync(page, KestrelApp.AdminPassword);
        await page.Keyboard.PressAsync("Enter");
        // Signing in lands on Home (issue 40, item 10).
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/$"));
        await page.WaitForCircuitAsync();

        // A new page puts focus on its heading (for screen readers), so Tab goes on into the page.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Home", Level = 1 })).ToBeFocusedAsync();
        // The skip link is the first stop of the page's tab order (before the app bar and the navigation), and it moves
        // focus past them to the page itself.
        // (Passing the app bar's search, MudAutocomplete can pull focus back to itself a moment later: that is the
        // back-and-forth a keyboard user sees there once. Walk on until the skip link keeps focus.)
        var skip = page.GetByTestId("skip-link");
        for (var attempt = 0; ; attempt++)
        {
            await TabToAsync(page, "skip-link", 40, backwards: true);
            await page.WaitForTimeoutAsync(500);
            if (await skip.EvaluateAsync<bool>("e => e === document.activeElement") || attempt == 3)
            {
                break;
            }
        }
        await Assertions.Expect(skip).ToBeFocusedAsync();
        Assert.True(await page.GetByTestId("skip-link").EvaluateAsync<bool>(
            "e => e === document.querySelector('a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex=\"-1\"])')"),
            "the skip link is the first thing Tab reaches on the page");
        await Assertions.Expect(page.GetByTestId("skip-link")).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#main-content")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.True(await page.EvaluateAsync<bool>("() => document.getElementById('main-content').contains(document.activeElement)"),
            $"the Tab after the skip link lands inside the page's own content, not on {await FocusedAsync(page)}");

        // Home's first stop is its search box, where "?" is text: one Shift+Tab back out of it, as a keyboard user would.
        if (await page.EvaluateAsync<bool>("() => document.activeElement?.tagName === 'INPUT'"))
        {
            await page.Keyboard.PressAsync("Shift+Tab");
        }
        Assert.False(await page.EvaluateAsync<bool>("() => ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName)"), await FocusedAsync(page));

        // "?" lists the shortcuts; Esc closes the list.
        await page.Keyboard.PressAsync("?");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Keyboard shortcuts" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Go to orders");
        await page.ShotAsync("70-keyboard-shortcuts");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        // "g o" and "g c" go to orders and back to customers.
        await page.Keyboard.PressAsync("g");
        await page.Keyboard.PressAsync("o");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/orders$"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Orders" })).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("g");
        await page.Keyboard.PressAsync("c");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/customers$"));
        var firstRow = page.GetByTestId("customer-table").Locator("tbody tr").First;
        await Assertions.Expect(firstRow).ToBeVisibleAsync();
        var name = (await firstRow.Locator("a").First.InnerTextAsync()).Trim();

        // "/" puts the cursor in the app bar's search; the first hit opens with Down and Enter.
        await page.Keyboard.PressAsync("/");
        await Assertions.Expect(page.Locator("#global-search")).ToBeFocusedAsync();
        await TypeAsync(page, name);
        var hit = page.GetByTestId("global-search-hit").Filter(new() { HasText = name }).First;
        await Assertions.Expect(hit).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/customers/[0-9a-f-]{36}"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = name })).ToBeVisibleAsync();

        // The first Tab on a customer is never Delete (issue 40, item 10): from the heading it reaches the email's copy button.
        await page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 }).FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("copy-email", await page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('data-testid')"));

        // The tabs: Tab reaches the current one, the arrow keys move along them, Enter opens one. Then "Add address".
        await TabToAsync(page, "Details");
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { NameRegex = new Regex("^Addresses") })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("add-address")).ToBeVisibleAsync();
        var before = await page.GetByTestId("address-card").CountAsync();
        await TabToAsync(page, "add-address");
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog.Locator("#address-first-name")).ToBeFocusedAsync();

        // The form: type, Tab to the next field (the optional ones are passed by).
        await TypeAsync(page, "Kay");
        await page.Keyboard.PressAsync("Tab");
        await TypeAsync(page, "Board");
        await TabToAsync(page, "address-line1", 5);
        await TypeAsync(page, "1 Keyboard Lane");
        await TabToAsync(page, "address-city", 5);
        await TypeAsync(page, "Typeton");
        await TabToAsync(page, "address-county", 5);
        await TypeAsync(page, "Keyshire");
        await page.Keyboard.PressAsync("Tab");
        await TypeAsync(page, "KB1 1KB");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(dialog.Locator("#address-country")).ToBeFocusedAsync();
        await TypeAsync(page, "United Kingdom");
        await Assertions.Expect(page.Locator(".mud-popover-open .mud-list-item").First).ToContainTextAsync("(GB)");
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(dialog.Locator("#address-country")).ToHaveValueAsync(new Regex(@"\(GB\)$"));
        await TabToAsync(page, "save-address", 20);
        await page.Keyboard.PressAsync("Enter");

        // Saved: the dialog closes, the new card is there, and the tab's count follows.
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("address-card")).ToHaveCountAsync(before + 1);
        await Assertions.Expect(page.GetByTestId("address-card").Filter(new() { HasText = "Kay Board" })).ToContainTextAsync("1 Keyboard Lane");
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = $"Addresses ({before + 1})" })).ToBeVisibleAsync();
        // The focus is back where the dialog was opened from, not on the page (where the next Tab would start over).
        await Assertions.Expect(page.GetByTestId("add-address")).ToBeFocusedAsync();

        // Delete a card by keyboard: the question starts on Cancel; after the delete the focus stays among the addresses.
        await TabToAsync(page, "delete-address", 10);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(dialog.GetByTestId("confirm-cancel")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(dialog.GetByTestId("confirm-ok")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByTestId("address-card")).ToHaveCountAsync(before);
        await page.WaitForFunctionAsync("() => document.activeElement && document.activeElement !== document.body");
        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.closest('[role=tabpanel], .mud-tabs-panels') !== null"),
            $"After the delete the focus is on {await FocusedAsync(page)}, outside the addresses.");
    }
}
