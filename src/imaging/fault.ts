/** What is wrong with an image file: `truncated` when data is missing, otherwise corrupt or inconsistent. */
export class ImageFault extends Error {
  constructor(
    readonly truncated: boolean,
    message: string,
  ) {
    super(message)
    this.name = 'ImageFault'
  }
}
