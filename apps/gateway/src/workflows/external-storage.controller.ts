import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { BatonError, ErrorCode } from '@app/contracts';
import { errorResponses } from '../openapi/openapi.schemas';

/**
 * Conductor's external payload storage locations. Baton keeps every payload in its database and has no
 * external storage, so there is no location to give: 501 with Conductor's error body. Literal routes, so
 * `externalstoragelocation` is never taken for a workflow or task id.
 */
@Controller('api')
export class ExternalStorageController {
  @Get(['workflow/externalstoragelocation', 'workflow/external-storage-location', 'tasks/externalstoragelocation', 'tasks/external-storage-location'])
  @ApiTags('workflow')
  @ApiOperation({ summary: 'External payload storage location (not served: Baton keeps payloads in its database; 501)' })
  @errorResponses(501)
  location(): never {
    throw new BatonError(ErrorCode.NotImplemented, 'Baton keeps payloads in its database: there is no external payload storage, so no location to give');
  }
}
