import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth-user';
import { validationError } from '../common/app-error';
import { MediaService } from './media.service';

/** Types a browser may show inline; anything else downloads, so a file can never run as a page of this origin. */
const INLINE_TYPES = /^(image\/(jpeg|png|gif|webp)|video\/|audio\/|application\/pdf$)/;

@ApiTags('media')
@Controller('media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  /** Serves a file from a signed URL (`data.media.url`), so `<img>` and `<audio>` work without a token. */
  @Public()
  @Get(':id')
  async serve(@Param('id') id: string, @Query('expires') expires: string, @Query('signature') signature: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const problems = [
      ...(typeof expires === 'string' && expires ? [] : [{ field: 'expires', reason: 'is required (copy the whole data.media.url)' }]),
      ...(typeof signature === 'string' && signature ? [] : [{ field: 'signature', reason: 'is required (copy the whole data.media.url)' }]),
    ];
    if (problems.length) throw validationError(problems);

    const file = await this.media.openSigned(id, expires, signature);
    const maxAge = Math.max(0, file.expiresAt - Math.floor(Date.now() / 1000));
    const disposition = INLINE_TYPES.test(file.mimeType) ? 'inline' : 'attachment';
    const name = file.fileName ? `; filename*=UTF-8''${encodeURIComponent(file.fileName)}` : '';
    response.setHeader('Content-Type', file.mimeType);
    response.setHeader('Content-Disposition', `${disposition}${name}`);
    response.setHeader('Cache-Control', `private, max-age=${maxAge}`);
    response.setHeader('Accept-Ranges', 'bytes');

    // Audio and video elements ask for byte ranges; one range is enough for them.
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
    const total = file.bytes.length;
    if (range && (range[1] || range[2])) {
      const start = range[1] ? Number(range[1]) : Math.max(0, total - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), total - 1) : total - 1;
      if (start >= total || start > end) {
        response.status(416).setHeader('Content-Range', `bytes */${total}`);
        response.end();
        return;
      }
      response.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${total}`);
      response.setHeader('Content-Length', end - start + 1);
      response.end(file.bytes.subarray(start, end + 1));
      return;
    }
    response.setHeader('Content-Length', total);
    response.end(file.bytes);
  }
}
