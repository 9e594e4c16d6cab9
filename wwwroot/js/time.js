// The browser's IANA time zone, so the console can show times in the staff member's own time.
export function timeZone() {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
