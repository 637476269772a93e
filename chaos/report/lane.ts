/** A horizontal band of the timeline: it knows its height and draws itself from a given top. */
export interface Lane {
  readonly title: string;
  readonly height: number;
  readonly render: (top: number) => string;
}
