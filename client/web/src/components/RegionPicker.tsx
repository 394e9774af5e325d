/** The region this page is connected to; choosing another reloads the page on that region. */
export function RegionPicker({ regions, region }: { regions: string[]; region: string }) {
  const choose = (next: string) => {
    const url = new URL(window.location.href);
    url.searchParams.set("region", next);
    window.location.assign(url);
  };
  return (
    <label className="field">
      <span>Region</span>
      <select value={region} onChange={(event) => choose(event.target.value)}>
        {regions.map((name) => (
          <option key={name} value={name}>{name}</option>
        ))}
      </select>
    </label>
  );
}
